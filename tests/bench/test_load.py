"""bench/load at a tiny scale: the processes start, every scenario runs, and the report adds up."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from bench.load.app import create_bench_app
from bench.load.run import form_fields, graphql_input, parser, percentile, run
from service.app import create_app
from service.settings import Settings


def test_percentile_takes_the_value_at_the_fraction() -> None:
    values = [float(n) for n in range(1, 101)]
    assert (percentile(values, 0.5), percentile(values, 0.95), percentile(values, 0.99)) == (
        51.0,
        96.0,
        100.0,
    )


def test_the_form_and_graphql_submissions_carry_the_same_values() -> None:
    graphql, form = graphql_input(7), form_fields(7)
    assert (
        form["title"]
        == graphql["title"]
        == ("Thủ tục cấp phép thử nghiệm công nghệ mới kéo dài, hồ sơ số 7")
    )
    assert (form["email"], form["consentToPublish"]) == ("nguoi7@example.com", "yes")


def test_the_bare_endpoint_exists_only_in_the_bench_app() -> None:
    paths = [getattr(route, "path", "") for route in create_bench_app(Settings()).routes]
    assert paths[0] == "/bench/submit"
    assert "/bench/submit" not in [getattr(r, "path", "") for r in create_app(Settings()).routes]


async def test_every_scenario_runs_at_a_tiny_scale() -> None:
    args = parser().parse_args(
        [
            "--databases=sqlite",
            "--rate=4",
            "--duration=1",
            "--e2e-rate=4",
            "--e2e-duration=1",
            "--overhead-requests=4",
            "--inbox-requests=2",
            "--concurrency=2",
            "--drain-seconds=60",
            "--inbox-size=3",
            "--set=INTAKE_LOG_LEVEL=INFO",
            "--keep",
        ]
    )
    results = await run(args)
    work = Path(results["work_dir"])
    try:
        web_log = (work / "sqlite-web.log").read_text()
    finally:
        shutil.rmtree(work)
    # The bench's own level is WARNING: an INFO line shows that --set reached the web process.
    assert results["settings"] == {"INTAKE_LOG_LEVEL": "INFO"}
    assert "Application startup complete" in web_log
    sqlite = results["sqlite"]
    assert sqlite["e2e"]["submissions"]["ok"] == 4
    assert (sqlite["e2e"]["complete"], sqlite["e2e"]["incomplete"]) == (4, 0)
    assert sqlite["inbox"]["ok"] == 2
    assert sqlite["inbox"]["errors"] == {}
    assert (sqlite["overhead"]["graphql"]["ok"], sqlite["overhead"]["bare"]["ok"]) == (4, 4)
    assert sqlite["campaign"]["ok"] == 4
    assert (sqlite["campaign"]["stored"], sqlite["campaign"]["lost"]) == (4, 0)
    assert sqlite["campaign"]["rows_added"] == 4
    assert sqlite["campaign"]["errors"] == {}
    # CPU per submission is read from the processes themselves: a wrong pid would read 0.
    assert sqlite["campaign"]["web_cpu_ms"] > 0
    assert sqlite["campaign"]["worker_cpu_ms"] > 0
    assert sqlite["e2e"]["worker_cpu_ms"] > 0
    assert sqlite["peak_rss_mb"]["web"] > 0
    assert sqlite["peak_rss_mb"]["worker"] > 0


def test_a_setting_must_be_an_intake_variable_with_a_value() -> None:
    assert parser().parse_args(["--set", "INTAKE_GC_GEN0_THRESHOLD=0"]).set == [
        ("INTAKE_GC_GEN0_THRESHOLD", "0")
    ]
    for wrong in ("PATH=/tmp", "INTAKE_GC_GEN0_THRESHOLD"):
        with pytest.raises(SystemExit):
            parser().parse_args(["--set", wrong])


def test_scenarios_and_databases_are_checked_by_name(
    capsys: pytest.CaptureFixture[str],
) -> None:
    args = parser().parse_args(["--scenarios", "e2e,inbox", "--databases", "postgresql"])
    assert (args.scenarios, args.databases) == (["e2e", "inbox"], ["postgresql"])
    with pytest.raises(SystemExit):
        parser().parse_args(["--scenarios", "e2e,end_to_end"])
    assert "unknown: end_to_end" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        parser().parse_args(["--databases", "mysql"])
    assert "unknown: mysql" in capsys.readouterr().err
