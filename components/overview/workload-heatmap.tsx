"use client";

import ReactEChartsCore from "echarts-for-react/lib/core";
import { HeatmapChart } from "echarts/charts";
import { DataZoomComponent, GridComponent, TooltipComponent, VisualMapComponent } from "echarts/components";
import * as echarts from "echarts/core";
import { CanvasRenderer } from "echarts/renderers";
import { useTheme } from "next-themes";
import { useRouter } from "next/navigation";
import { useMemo } from "react";
import type { OverviewClusterRow } from "@/lib/api/overview-types";
import { overviewLinks } from "@/lib/api/overview";
import { HEALTH_STATES } from "@/lib/k8s/kinds";
import { HEALTH_COLORS, HEALTH_LABELS } from "./health-colors";

// Only the parts the heat map uses, so the page does not ship all of ECharts.
echarts.use([HeatmapChart, GridComponent, TooltipComponent, VisualMapComponent, DataZoomComponent, CanvasRenderer]);

/** Columns shown at once; more clusters scroll (drag, wheel or the slider) rather than shrink to nothing. */
const WINDOW = 40;

/**
 * Workloads by health per cluster: clusters across, health states down, one series per state so
 * each row has its own color scale (a failed workload is red however few there are). A cell
 * opens the inventory filtered to that cluster and state. The canvas is described for screen
 * readers by `summary`; the table beside it is the full text alternative.
 */
export function WorkloadHeatmap({ clusters, summary }: { clusters: OverviewClusterRow[]; summary: string }) {
  const router = useRouter();
  const dark = useTheme().resolvedTheme === "dark";
  const option = useMemo(() => {
    // Cell borders and the empty end of each scale match the page behind the chart (slate-900
    // card in dark, white in light); ECharts' own dark theme colors axes, labels and tooltip.
    const palette = dark
      ? { cell: "#0f172a", empty: "#1e293b", focus: "#f8fafc" }
      : { cell: "#ffffff", empty: "#f1f5f9", focus: "#0f172a" };
    const names = clusters.map((c) => c.name);
    const states = [...HEALTH_STATES].reverse();
    const series = states.map((state) => ({
      name: HEALTH_LABELS[state],
      type: "heatmap" as const,
      data: clusters.map((cluster, x) => [x, states.indexOf(state), cluster.workloads[state]]),
      label: { show: clusters.length <= 30, fontSize: 11 },
      itemStyle: { borderColor: palette.cell, borderWidth: 1 },
      emphasis: { itemStyle: { borderColor: palette.focus, borderWidth: 2 } },
    }));
    const visualMaps = states.map((state, index) => ({
      show: false,
      seriesIndex: index,
      min: 0,
      max: Math.max(1, ...clusters.map((c) => c.workloads[state])),
      inRange: { color: [palette.empty, HEALTH_COLORS[state]] },
    }));
    return {
      animation: false,
      backgroundColor: "transparent",
      tooltip: {
        formatter: (p: { data: [number, number, number] }) =>
          `${names[p.data[0]]}: ${p.data[2]} ${HEALTH_LABELS[states[p.data[1]]!].toLowerCase()}`,
      },
      grid: { left: 90, right: 16, top: 8, bottom: clusters.length > WINDOW ? 90 : 60 },
      xAxis: {
        type: "category",
        data: names,
        axisLabel: { rotate: 45, interval: 0, fontSize: 11 },
        splitArea: { show: true },
      },
      yAxis: { type: "category", data: states.map((s) => HEALTH_LABELS[s]), splitArea: { show: true } },
      visualMap: visualMaps,
      dataZoom:
        clusters.length > WINDOW
          ? [
              { type: "slider", xAxisIndex: 0, startValue: 0, endValue: WINDOW - 1, height: 18, bottom: 8 },
              { type: "inside", xAxisIndex: 0 },
            ]
          : [],
      series,
    };
  }, [clusters, dark]);

  return (
    <div role="img" aria-label={summary}>
      <ReactEChartsCore
        echarts={echarts}
        // A new key on a theme change: ECharts takes its theme only when the chart is created.
        key={dark ? "dark" : "light"}
        theme={dark ? "dark" : undefined}
        option={option}
        notMerge
        style={{ height: 280, width: "100%" }}
        onEvents={{
          click: (p: { data?: [number, number, number] }) => {
            if (!p.data) return;
            const states = [...HEALTH_STATES].reverse();
            router.push(overviewLinks.workloads(states[p.data[1]], clusters[p.data[0]]?.name));
          },
        }}
      />
    </div>
  );
}
