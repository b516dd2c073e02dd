//! [`Dashboard`]: a CloudWatch dashboard whose body is built from typed widgets.

use serde_json::{Value, json};

use super::alarm::AlarmArn;
use super::metric::Metric;
use crate::core::{Attr, Error, Expr, Scope, Val};
use crate::l1::cloudwatch::dashboard as l1;

/// One widget; widgets are laid out left to right, two per row (12 of 24 columns, 6 rows high).
#[derive(Debug, Clone, PartialEq)]
pub enum Widget {
    /// A time-series graph of metrics (each with its own statistic and period).
    Graph {
        /// Title shown above the graph.
        title: String,
        /// Up to 100 metrics.
        metrics: Vec<Metric>,
    },
    /// The graph of one alarm's metric (or metric math) with its threshold line, so the widget
    /// shows what the alarm sees without repeating the metric's dimensions.
    AlarmGraph {
        /// Title shown above the graph.
        title: String,
        /// The alarm.
        alarm: Attr<AlarmArn>,
    },
    /// The state of alarms.
    Alarms {
        /// Title shown above the widget.
        title: String,
        /// Up to 100 alarms.
        alarms: Vec<Attr<AlarmArn>>,
    },
    /// Markdown text.
    Text {
        /// The markdown.
        markdown: String,
    },
}

/// Settings of a [`Dashboard`].
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardProps {
    /// Dashboard name: letters, digits, `-` and `_`, ≤ 255. Default: generated.
    pub name: Option<Val<String>>,
    /// The widgets, in order (at least one).
    pub widgets: Vec<Widget>,
}

/// What [`Dashboard::new`] returns.
#[derive(Debug, Clone, PartialEq)]
pub struct DashboardHandle {
    /// The L1 resource (typed access: `Stack::l1_mut`).
    pub resource: crate::core::ResourceRef<l1::Dashboard>,
}

crate::l1_handle!(DashboardHandle, l1::Dashboard);

/// A CloudWatch dashboard in the stack's Region. The body is rendered with `Fn::Sub`, so metric
/// dimensions and alarm ARNs may be deploy-time values.
///
/// CloudFormation: [`AWS::CloudWatch::Dashboard`](https://docs.aws.amazon.com/AWSCloudFormation/latest/TemplateReference/aws-resource-cloudwatch-dashboard.html).
///
/// ```
/// use formwork_constructs::cloudwatch::{Dashboard, DashboardProps, Metric, Stat, Widget};
/// use formwork_constructs::core::{Env, Stack};
/// let mut stack = Stack::new("Dash", Env::region("eu-west-1")).unwrap();
/// let m = Metric::new("AWS/ApplicationELB", "RequestCount", Stat::Sum, 60)
///     .with_dimension("LoadBalancer", "app/grpc/0123456789abcdef");
/// let props = DashboardProps { name: None, widgets: vec![Widget::Graph { title: "Requests".into(), metrics: vec![m] }] };
/// Dashboard::new(&mut stack.root(), "Grpc", props).unwrap();
/// assert!(stack.to_yaml().unwrap().contains("DashboardBody"));
/// ```
pub struct Dashboard;

impl Dashboard {
    /// Adds the dashboard as `scope/id`.
    pub fn new(
        scope: &mut Scope<'_>,
        id: &str,
        props: DashboardProps,
    ) -> Result<DashboardHandle, Error> {
        let mut s = scope.child(id)?;
        if props.widgets.is_empty() || props.widgets.len() > 500 {
            return Err(s.error("a dashboard takes 1–500 widgets"));
        }
        if let Some(Val::Lit(n)) = &props.name
            && (n.is_empty()
                || n.len() > 255
                || !n
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_'))
        {
            return Err(s.error(format!(
                "dashboard name `{n}` must be 1–255 letters, digits, - and _"
            )));
        }
        let mut b = Body {
            stack: s.stack_ref().name().to_owned(),
            vars: Vec::new(),
        };
        let widgets = props
            .widgets
            .iter()
            .enumerate()
            .map(|(i, w)| b.widget(i, w))
            .collect::<Result<Vec<_>, String>>()
            .map_err(|m| s.error(m))?;
        let text = serde_json::to_string(&json!({ "widgets": widgets }))
            .map_err(|e| s.error(format!("dashboard body: {e}")))?;
        let body = if b.vars.is_empty() && !text.contains("${") {
            Val::from(text)
        } else {
            Val::from(Expr::sub_with(text, b.vars))
        };
        let r = s.add(
            "Resource",
            l1::Dashboard {
                dashboard_name: props.name.clone(),
                ..l1::Dashboard::new(body)
            },
        )?;
        Ok(DashboardHandle { resource: r })
    }
}

/// Collects `Fn::Sub` variables while the body is built.
struct Body {
    /// The stack the dashboard is in: its own attributes are written inline (`${Id.Attr}`).
    stack: String,
    vars: Vec<(String, Expr)>,
}

impl Body {
    /// A literal as-is (a `${` in it is escaped for `Fn::Sub`), a plain `Fn::Sub` inlined, a
    /// `Ref` or `Fn::GetAtt` of this stack inlined (`${Id}`, `${Id.Attr}`), any other
    /// expression as `${vN}`.
    fn text(&mut self, e: &Expr) -> String {
        match e {
            Expr::Lit(Value::String(s)) => return s.replace("${", "${!"),
            Expr::Sub(t, vars) if vars.is_empty() => return t.clone(),
            Expr::Stack(st, inner) if **st == *self.stack => match &**inner {
                Expr::Ref(id) => return format!("${{{id}}}"),
                Expr::GetAtt(id, attr) => return format!("${{{id}.{attr}}}"),
                _ => {}
            },
            _ => {}
        }
        let name = format!("v{}", self.vars.len());
        self.vars.push((name.clone(), e.clone()));
        format!("${{{name}}}")
    }

    fn widget(&mut self, i: usize, w: &Widget) -> Result<Value, String> {
        let (x, y) = ((i % 2) * 12, (i / 2) * 6);
        let (kind, properties) = match w {
            Widget::Graph { title, metrics } => {
                if metrics.is_empty() || metrics.len() > 100 {
                    return Err(format!("graph `{title}` takes 1–100 metrics"));
                }
                let mut rows = Vec::new();
                for m in metrics {
                    m.check()?;
                    let mut row = vec![json!(m.namespace), json!(m.name)];
                    for (n, v) in &m.dimensions {
                        row.push(json!(n));
                        row.push(json!(self.text(v)));
                    }
                    row.push(json!({"stat": m.stat.as_cloudwatch(), "period": m.period_seconds}));
                    rows.push(Value::Array(row));
                }
                let props = json!({"title": title.replace("${", "${!"), "view": "timeSeries",
                    "region": "${AWS::Region}", "metrics": rows});
                ("metric", props)
            }
            Widget::AlarmGraph { title, alarm } => {
                let arn = self.text(alarm.expr());
                let props = json!({"title": title.replace("${", "${!"), "view": "timeSeries",
                    "region": "${AWS::Region}", "annotations": {"alarms": [arn]}});
                ("metric", props)
            }
            Widget::Alarms { title, alarms } => {
                if alarms.is_empty() || alarms.len() > 100 {
                    return Err(format!("alarm widget `{title}` takes 1–100 alarms"));
                }
                let arns: Vec<String> = alarms.iter().map(|a| self.text(a.expr())).collect();
                (
                    "alarm",
                    json!({"title": title.replace("${", "${!"), "alarms": arns}),
                )
            }
            Widget::Text { markdown } => {
                ("text", json!({"markdown": markdown.replace("${", "${!")}))
            }
        };
        Ok(
            json!({"type": kind, "x": x, "y": y, "width": 12, "height": 6, "properties": properties}),
        )
    }
}
