// Shared pieces of the generated dashboards: the datasource/namespace/provider variables, label
// selectors every query uses, SLO-derived thresholds and a left-to-right grid layout.
import * as cog from '@grafana/grafana-foundation-sdk/cog';
import * as common from '@grafana/grafana-foundation-sdk/common';
import {
  DatasourceVariableBuilder, QueryVariableBuilder, ThresholdsConfigBuilder, ThresholdsMode, VariableRefresh, VariableSort,
  type GridPos, type Panel, type VariableModel,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as PieChart, PieChartLabels, PieChartLegendOptionsBuilder, PieChartLegendValues, PieChartType } from '@grafana/grafana-foundation-sdk/piechart';
import { DataqueryBuilder } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as TimeSeries } from '@grafana/grafana-foundation-sdk/timeseries';
import { M } from '../metrics.js';

export const DATASOURCE: common.DataSourceRef = { type: 'prometheus', uid: '${datasource}' };
export const REFRESH = '30s';

/** Selector for Kubernetes provider metrics (target namespace + provider label). */
export const K = '{namespace=~"$namespace", provider=~"$provider"}';
/** Selector for platform, health and SLO metrics (no provider label). */
export const P = '{namespace=~"$namespace"}';
/** Grafana's rate window (≥ 4 scrape intervals). */
export const RI = '$__rate_interval';

export function variables(): cog.Builder<VariableModel>[] {
  const query = (name: string, label: string, q: string): QueryVariableBuilder =>
    new QueryVariableBuilder(name).label(label).datasource(DATASOURCE).query(q).definition(q)
      .refresh(VariableRefresh.OnTimeRangeChanged).sort(VariableSort.AlphabeticalAsc)
      .multi(true).includeAll(true).allValue('.*');
  return [
    new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'),
    // namespace is the scrape target's (Prometheus Operator sets it); every Hodei exposes hodei_jobs_queued.
    query('namespace', 'Namespace', `label_values(${M.jobsQueued}, namespace)`),
    query('provider', 'Provider', `label_values(${M.workersActive}{namespace=~"$namespace"}, provider)`),
  ];
}

export function target(expr: string, legend: string, refId: string, instant = false): DataqueryBuilder {
  const q = new DataqueryBuilder().expr(expr).legendFormat(legend).refId(refId).datasource(DATASOURCE);
  return instant ? q.instant() : q.range();
}

/**
 * A time series an SRE can read: a legend table under the graph naming every line with its last and
 * max value (sorted by max, so the worst offender is on top), and a tooltip listing all series.
 */
export function timeSeries(title: string, unit: string): TimeSeries {
  return new TimeSeries().title(title).unit(unit).datasource(DATASOURCE).fillOpacity(10)
    .legend(new common.VizLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.Table)
      .placement(common.LegendPlacement.Bottom).calcs(['lastNotNull', 'max']).sortBy('Max').sortDesc(true))
    .tooltip(new common.VizTooltipOptionsBuilder().mode(common.TooltipDisplayMode.Multi).sort(common.SortOrder.Descending));
}

/** A pie whose slices are labelled with their name and value, and a legend table with value and percent. */
export function pieChart(title: string, unit: string): PieChart {
  return new PieChart().title(title).unit(unit).datasource(DATASOURCE).pieType(PieChartType.Donut)
    .displayLabels([PieChartLabels.Name, PieChartLabels.Value])
    .reduceOptions(new common.ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .legend(new PieChartLegendOptionsBuilder().showLegend(true).displayMode(common.LegendDisplayMode.Table)
      .placement(common.LegendPlacement.Right).values([PieChartLegendValues.Value, PieChartLegendValues.Percent]));
}

/** Green below `warnAt`, orange from it, red from the SLO target (higher is worse). */
export function upperBound(target: number, warnFraction = 0.8): ThresholdsConfigBuilder {
  return steps([[null, 'green'], [round(target * warnFraction), 'orange'], [target, 'red']]);
}

export function steps(s: [number | null, string][]): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(s.map(([value, color]) => ({ value, color })));
}

const round = (n: number): number => Number(n.toPrecision(12));

/** Places panels (and full-width row headers) left to right in a 24-column grid, wrapping lines. */
export function layout<T extends { gridPos(g: GridPos): unknown }>(items: [T, number, number][]): T[] {
  let x = 0;
  let y = 0;
  let rowH = 0;
  return items.map(([panel, w, h]) => {
    if (x + w > 24) { x = 0; y += rowH; rowH = 0; }
    panel.gridPos({ x, y, w, h });
    x += w;
    rowH = Math.max(rowH, h);
    return panel;
  });
}

export type PanelLike = cog.Builder<Panel> & { gridPos(g: GridPos): unknown };
