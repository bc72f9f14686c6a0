/* 领导驾驶舱: the five-year trend of the main measures (one line per measure, its target as a dashed mark line).
   Data comes from <script type="application/json" id="leadership-chart-data"> (json_script); no inline script
   (CSP script-src 'self'). Clicking a point opens the rows counted for that year (the measure's list). */
(function () {
  "use strict";
  var holder = document.getElementById("leadership-chart");
  var source = document.getElementById("leadership-chart-data");
  if (!holder || !source || typeof window.echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var narrow = holder.clientWidth < 560;
  var chart = window.echarts.init(holder, null, { renderer: "svg" });
  var targets = data.series.map(function (s) { return s.target; }).filter(function (t) { return t !== null; });
  var highest = targets.length ? Math.max.apply(null, targets) : null;
  chart.setOption({
    animation: false,
    tooltip: { trigger: "axis" },
    legend: { top: 0, type: "scroll" },
    grid: { left: 8, right: 16, top: narrow ? 64 : 40, bottom: 8, containLabel: true },
    xAxis: { type: "category", data: data.years.map(function (y) { return y + " 年"; }), boundaryGap: false },
    // the axis reaches the highest target, so that its dashed line is drawn
    yAxis: { type: "value", max: function (v) { return highest === null ? null : Math.max(v.max, highest); } },
    series: data.series.map(function (s) {
      var line = { name: s.name, type: "line", data: s.values, connectNulls: false, symbolSize: 8 };
      if (s.target !== null) {
        line.markLine = { symbol: "none", silent: true, lineStyle: { type: "dashed" },
                          label: { position: "insideEndTop", formatter: "目标 " + s.target }, data: [{ yAxis: s.target }] };
      }
      return line;
    })
  });
  chart.on("click", function (params) {
    if (params.componentType !== "series") { return; }
    var url = (data.series[params.seriesIndex].urls || [])[params.dataIndex];
    if (url) { window.location.href = url; }
  });
  window.addEventListener("resize", function () { chart.resize(); });
  window.addEventListener("beforeprint", function () { chart.resize(); });
})();
