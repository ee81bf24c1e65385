// Draws a bar chart above each table marked by a [data-chart] placeholder, from the table's own
// figures: the table stays the accessible source, the chart only repeats it for sighted readers.
(function () {
  "use strict";
  // Agency names run to 90 characters: the axis shows their start, the tooltip the whole name.
  var LABEL_LENGTH = 32;
  function shortened(label) {
    return label.length > LABEL_LENGTH ? label.slice(0, LABEL_LENGTH - 1).trimEnd() + "\u2026" : label;
  }
  if (typeof Chart === "undefined") { return; }
  document.querySelectorAll("[data-chart]").forEach(function (holder) {
    var table = document.getElementById(holder.getAttribute("data-chart"));
    if (!table) { return; }
    var columns = holder.getAttribute("data-series").split(",").map(Number);
    var headers = table.querySelectorAll("thead th");
    var rows = Array.prototype.slice.call(table.querySelectorAll("tbody tr"));
    rows = rows.filter(function (row) { return row.querySelector("[data-value]"); });
    if (!rows.length) { return; }
    var labels = rows.map(function (row) { return row.cells[0].textContent.trim(); });
    var colours = ["#0b4f9c", "#00703c", "#a50e0e"];
    var datasets = columns.map(function (column, index) {
      return {
        label: headers[column].textContent.trim(),
        backgroundColor: colours[index % colours.length],
        data: rows.map(function (row) { return Number(row.cells[column].getAttribute("data-value")); })
      };
    });
    var canvas = document.createElement("canvas");
    canvas.setAttribute("role", "presentation");
    holder.appendChild(canvas);
    holder.classList.add("chart-drawn");
    // Room for every agency's bars and name, however many the table holds.
    holder.style.height = Math.max(10, 4 + 1.75 * rows.length) + "rem";
    new Chart(canvas, {
      type: "bar",
      data: { labels: labels, datasets: datasets },
      options: {
        animation: false,
        responsive: true,
        indexAxis: "y",
        maintainAspectRatio: false,
        scales: {
          // Counts of submissions: whole numbers only on the axis.
          x: { beginAtZero: true, ticks: { precision: 0 } },
          y: { ticks: { autoSkip: false, callback: function (value) { return shortened(this.getLabelForValue(value)); } } }
        }
      }
    });
  });
})();
