// ChartCLIPTensor: under construction.
