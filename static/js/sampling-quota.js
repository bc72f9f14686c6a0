/* 抽检配额: the burn-down of one township (cumulative target vs done, by month) and the overview (quota vs done per
   township). Data comes from <script type="application/json" id="quota-chart-data"> (json_script); no inline script
   (CSP script-src 'self'). Clicking a "done" point or bar opens the samples behind it; a township's name its page. */
(function () {
  "use strict";
  var holder = document.getElementById("quota-chart");
  var source = document.getElementById("quota-chart-data");
  if (!holder || !source || typeof window.echarts === "undefined") { return; }
  var data = JSON.parse(source.textContent);
  var colours = { food_target: "#9db7d9", food_done: "#1f5fa8", food_quota: "#9db7d9",
                  mon_target: "#e8c48a", mon_done: "#c47a12", mon_quota: "#e8c48a" };
  var narrow = holder.clientWidth < 560;
  var chart = window.echarts.init(holder, null, { renderer: "svg" });
  var option;
  if (data.kind === "burndown") {
    option = {
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: narrow ? 56 : 40, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.months, boundaryGap: false },
      yAxis: { type: "value", name: "批次", minInterval: 1 },
      series: data.series.map(function (s) {
        var target = /_target$/.test(s.key);
        return { name: s.name, type: "line", data: s.values, key: s.key, connectNulls: false, symbolSize: target ? 4 : 8,
                 lineStyle: { type: target ? "dashed" : "solid", width: target ? 1.5 : 2.5 },
                 itemStyle: { color: colours[s.key] } };
      })
    };
  } else {
    option = {
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, type: "scroll" },
      grid: { left: 8, right: 16, top: narrow ? 56 : 40, bottom: 8, containLabel: true },
      xAxis: narrow ? { type: "value", minInterval: 1 } : { type: "category", data: data.townships, axisLabel: { interval: 0, rotate: 30 }, triggerEvent: true },
      yAxis: narrow ? { type: "category", data: data.townships, inverse: true, triggerEvent: true } : { type: "value", name: "批次", minInterval: 1 },
      series: data.series.map(function (s) {
        return { name: s.name, type: "bar", data: s.values, key: s.key, barMaxWidth: 18, itemStyle: { color: colours[s.key] } };
      })
    };
  }
  chart.setOption(option);
  chart.on("click", function (params) {
    var urls = data.urls || {};
    var url = null;
    if (params.componentType === "series") {
      var key = data.series[params.seriesIndex].key;
      url = urls[key] ? urls[key][params.dataIndex] : (urls.page ? urls.page[params.dataIndex] : null);
    } else if (params.componentType === "xAxis" || params.componentType === "yAxis") {
      var index = (data.townships || []).indexOf(params.value);
      url = index >= 0 && urls.page ? urls.page[index] : null;
    }
    if (url && url !== "#") { window.location.href = url; }
  });
  window.addEventListener("resize", function () { chart.resize(); });
})();
