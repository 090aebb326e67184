//! The totals chart: claims per verdict as an SVG bar chart (plotters).

use plotters::prelude::*;

use crate::ReportError;
use crate::model::Totals;

const WIDTH: u32 = 720;
const HEIGHT: u32 = 320;

fn chart_error(e: impl std::fmt::Display) -> ReportError {
    ReportError::Chart(e.to_string())
}

/// Claims per verdict, one bar per rating of the scale (zeros included).
pub fn chart_svg(totals: &Totals) -> Result<String, ReportError> {
    let bars: Vec<(String, usize)> = totals.by_verdict.iter().map(|c| (c.label.clone(), c.count)).collect();
    bar_chart_svg("Claims by verdict", "Claims", &bars)
}

/// A bar chart of `bars` (label, count), titled `title`, its axis `unit`.
/// Text is escaped by plotters' SVG backend.
pub fn bar_chart_svg(title: &str, unit: &str, bars: &[(String, usize)]) -> Result<String, ReportError> {
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (WIDTH, HEIGHT)).into_drawing_area();
        root.fill(&WHITE).map_err(chart_error)?;
        let top = bars.iter().map(|(_, n)| *n).max().unwrap_or(0).max(1) as u32;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 18))
            .margin(12)
            .x_label_area_size(48)
            .y_label_area_size(44)
            .build_cartesian_2d((0..bars.len().max(1) as u32).into_segmented(), 0..top + top.div_ceil(10))
            .map_err(chart_error)?;
        chart
            .configure_mesh()
            .disable_x_mesh()
            .x_labels(bars.len().max(1))
            .y_desc(unit)
            .label_style(("sans-serif", 13))
            .x_label_formatter(&|x| match x {
                SegmentValue::CenterOf(i) => bars.get(*i as usize).map(|(label, _)| label.clone()).unwrap_or_default(),
                _ => String::new(),
            })
            .draw()
            .map_err(chart_error)?;
        chart
            .draw_series(bars.iter().enumerate().map(|(i, (_, n))| {
                let i = i as u32;
                let mut bar =
                    Rectangle::new([(SegmentValue::Exact(i), 0), (SegmentValue::Exact(i + 1), *n as u32)], RGBColor(37, 99, 235).filled());
                bar.set_margin(0, 0, 8, 8);
                bar
            }))
            .map_err(chart_error)?;
        root.present().map_err(chart_error)?;
    }
    Ok(svg)
}
