//! [`Metric`]: a typed CloudWatch metric (namespace, name, dimensions, statistic, period).

use crate::core::{Expr, Val};
use crate::l1::cloudwatch::alarm as l1;

/// How data points of a period are aggregated.
#[derive(Debug, Clone, Copy, PartialEq)]
pub enum Stat {
    /// Sum of the values.
    Sum,
    /// Mean of the values.
    Average,
    /// Lowest value.
    Minimum,
    /// Highest value.
    Maximum,
    /// Number of data points.
    SampleCount,
    /// A percentile such as 99 (`p99`), strictly between 0 and 100.
    Percentile(f64),
}

impl Stat {
    /// The statistic as CloudWatch writes it (`Sum`, `p99`, `p99.9`).
    pub fn as_cloudwatch(&self) -> String {
        match self {
            Stat::Sum => "Sum".into(),
            Stat::Average => "Average".into(),
            Stat::Minimum => "Minimum".into(),
            Stat::Maximum => "Maximum".into(),
            Stat::SampleCount => "SampleCount".into(),
            Stat::Percentile(p) => format!("p{p}"),
        }
    }

    pub(crate) fn check(&self) -> Result<(), String> {
        match self {
            Stat::Percentile(p) if !(p.is_finite() && *p > 0.0 && *p < 100.0) => Err(format!(
                "percentile {p} must be strictly between 0 and 100 (e.g. 99 for p99)"
            )),
            _ => Ok(()),
        }
    }
}

/// A CloudWatch metric with its aggregation.
#[derive(Debug, Clone, PartialEq)]
pub struct Metric {
    /// Namespace such as `AWS/ApplicationELB`.
    pub namespace: String,
    /// Metric name such as `HealthyHostCount`.
    pub name: String,
    /// Dimensions in order (name, value); values may be deploy-time expressions.
    pub dimensions: Vec<(String, Expr)>,
    /// Aggregation over a period.
    pub stat: Stat,
    /// Period in seconds: 10, 20, 30 or a multiple of 60.
    pub period_seconds: u32,
}

impl Metric {
    /// A metric without dimensions.
    pub fn new(namespace: &str, name: &str, stat: Stat, period_seconds: u32) -> Metric {
        Metric {
            namespace: namespace.into(),
            name: name.into(),
            dimensions: Vec::new(),
            stat,
            period_seconds,
        }
    }

    /// Adds a dimension.
    pub fn with_dimension(mut self, name: &str, value: impl Into<Expr>) -> Metric {
        self.dimensions.push((name.into(), value.into()));
        self
    }

    /// Checks namespace, name, statistic, period and dimension count.
    pub fn check(&self) -> Result<(), String> {
        if self.namespace.is_empty() || self.namespace.len() > 255 {
            return Err(format!(
                "namespace `{}` must be 1–255 characters",
                self.namespace
            ));
        }
        if self.name.is_empty() || self.name.len() > 255 {
            return Err(format!(
                "metric name `{}` must be 1–255 characters",
                self.name
            ));
        }
        if self.dimensions.len() > 30 {
            return Err(format!(
                "metric {} has {} dimensions; at most 30",
                self.name,
                self.dimensions.len()
            ));
        }
        self.stat
            .check()
            .map_err(|m| format!("metric {}: {m}", self.name))?;
        check_period(self.period_seconds).map_err(|m| format!("metric {}: {m}", self.name))
    }

    pub(crate) fn l1_dimensions(&self) -> Option<Val<Vec<Val<l1::Dimension>>>> {
        if self.dimensions.is_empty() {
            return None;
        }
        Some(Val::from(
            self.dimensions
                .iter()
                .map(|(n, v)| Val::from(l1::Dimension::new(n.as_str(), v.clone())))
                .collect::<Vec<_>>(),
        ))
    }

    pub(crate) fn l1_metric_stat(&self) -> l1::MetricStat {
        l1::MetricStat::new(
            l1::Metric {
                dimensions: self.l1_dimensions(),
                metric_name: Some(self.name.as_str().into()),
                namespace: Some(self.namespace.as_str().into()),
            },
            self.period_seconds,
            self.stat.as_cloudwatch(),
        )
    }
}

/// 10, 20 and 30 s are high-resolution periods; otherwise a positive multiple of 60.
pub(crate) fn check_period(p: u32) -> Result<(), String> {
    if matches!(p, 10 | 20 | 30) || (p > 0 && p.is_multiple_of(60)) {
        Ok(())
    } else {
        Err(format!(
            "period {p} s must be 10, 20, 30 or a multiple of 60"
        ))
    }
}
