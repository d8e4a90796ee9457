// ChartCLIPCharts: module under construction; see README.md module map.
