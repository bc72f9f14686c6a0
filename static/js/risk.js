/* 风险分级: grade-distribution stacked bar (ECharts). Data comes from <script type="application/json" id="risk-chart-data">
   (json_script); no inline script (CSP script-src 'self'). Clicking a bar segment opens the rows behind it. */
(function () {
  "use strict";
  var holder = document.getElementById("risk-chart");
  var source = document.getElementById("risk-chart-data");
  if (!holder || !source || typeof window.echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = { A: "#3a9b5c", B: "#3b78c4", C: "#e0a030", D: "#d0453a", none: "#b4bfcc" };
  var names = { A: "A 级", B: "B 级", C: "C 级", D: "D 级", none: "未评级" };
  var narrow = holder.clientWidth < 560;
  var chart = window.echarts.init(holder, null, { renderer: "svg" });
  chart.setOption({
    animation: false,
    color: data.series.map(function (s) { return colours[s.grade]; }),
    tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
    legend: { top: 0, data: data.series.map(function (s) { return names[s.grade]; }) },
    grid: { left: 8, right: 16, top: 40, bottom: 8, containLabel: true },
    xAxis: narrow ? { type: "value" } : { type: "category", data: data.townships, axisLabel: { interval: 0, rotate: 30 } },
    yAxis: narrow ? { type: "category", data: data.townships, inverse: true } : { type: "value", name: "家" },
    series: data.series.map(function (s) {
      return { name: names[s.grade], type: "bar", stack: "total", data: s.values, grade: s.grade, barMaxWidth: 36 };
    })
  });
  chart.on("click", function (params) {
    var url = holder.getAttribute("data-list-url");
    var ids = data.township_ids || [];
    var grade = data.series[params.seriesIndex].grade;
    if (!url || grade === "none") { return; }
    window.location.href = url + "?township=" + encodeURIComponent(ids[params.dataIndex]) + "&grade=" + grade;
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
