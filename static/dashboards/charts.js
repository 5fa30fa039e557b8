/* 数据看板: draws each figure's chart with Chart.js (served from /static/vendor/chartjs/).
   The data comes from a <script type="application/json"> written by json_script; the
   numbers are also in the table beneath each chart. No animation when the reader asks
   for reduced motion. */
(function () {
  "use strict";

  var COLOURS = ["#b42318", "#0b6e4f", "#1d4ed8", "#a15c07", "#6b21a8", "#52606d"];

  function reducedMotion() {
    return window.matchMedia && window.matchMedia("(prefers-reduced-motion: reduce)").matches;
  }

  function config(data) {
    var kind = data.kind;
    var percent = kind === "line";
    var datasets = data.series.map(function (series, index) {
      var colour = COLOURS[index % COLOURS.length];
      return {
        label: series.label,
        data: series.data,
        backgroundColor: colour,
        borderColor: colour,
        borderWidth: kind === "line" ? 2 : 0,
        spanGaps: true,
        pointRadius: 3
      };
    });
    var stacked = kind === "stacked";
    return {
      type: kind === "line" ? "line" : "bar",
      data: { labels: data.labels, datasets: datasets },
      options: {
        responsive: true,
        maintainAspectRatio: false,
        animation: reducedMotion() ? false : { duration: 400 },
        indexAxis: kind === "funnel" ? "y" : "x",
        plugins: { legend: { display: datasets.length > 1, position: "bottom" } },
        scales: {
          x: { stacked: stacked, beginAtZero: true, ticks: { precision: 0 } },
          y: {
            stacked: stacked,
            beginAtZero: true,
            suggestedMax: percent ? 100 : undefined,
            ticks: percent ? { callback: function (value) { return value + "%"; } } : { precision: 0 }
          }
        }
      }
    };
  }

  function draw() {
    if (typeof window.Chart !== "function") {
      return; // the tables beneath carry the same numbers
    }
    var canvases = document.querySelectorAll("canvas[data-chart]");
    Array.prototype.forEach.call(canvases, function (canvas) {
      var source = document.getElementById(canvas.getAttribute("data-chart"));
      if (!source) {
        return;
      }
      new window.Chart(canvas, config(JSON.parse(source.textContent)));
    });
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", draw);
  } else {
    draw();
  }
})();
