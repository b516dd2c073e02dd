//! The runbook's alarm section: the topics (and how to subscribe), the dashboards, and what
//! each kind of alarm means with the first thing to check. Rendered by [`render`] and, for the
//! equivalence test, by the `alarms` block of `DEPLOY.md.tera`.

use std::fmt::Write;

use formwork_assembly::Assembly;
use formwork_assembly::runbook::AlarmsStep;
use serde::Serialize;

use super::output_lookup;
use crate::shell::sh_quote;

#[derive(Serialize)]
pub(super) struct AlarmsView {
    topics: Vec<TopicView>,
    emails: String,
    dashboards: Vec<DashboardView>,
    alarms: Vec<AlarmView>,
    notes: Vec<String>,
}

#[derive(Serialize)]
struct TopicView {
    stack: String,
    region: String,
    region_word: String,
    lookup: String,
}

#[derive(Serialize)]
struct DashboardView {
    name: String,
    region: String,
}

#[derive(Serialize)]
struct AlarmView {
    id: String,
    scope: String,
    description: String,
}

/// The view of `step`; region names come from the assembly's stacks.
pub(super) fn view(asm: &Assembly, step: &AlarmsStep) -> AlarmsView {
    AlarmsView {
        topics: step
            .topics
            .iter()
            .map(|t| TopicView {
                stack: t.stack.clone(),
                region: asm.region_of(&t.stack).to_owned(),
                region_word: sh_quote(asm.region_of(&t.stack)),
                lookup: output_lookup(asm, t),
            })
            .collect(),
        emails: step
            .emails
            .iter()
            .map(|e| format!("`{e}`"))
            .collect::<Vec<_>>()
            .join(", "),
        dashboards: step
            .dashboards
            .iter()
            .map(|d| DashboardView {
                name: d.clone(),
                region: asm.region_of(d).to_owned(),
            })
            .collect(),
        alarms: step
            .alarms
            .iter()
            .map(|a| AlarmView {
                id: a.id.clone(),
                scope: a.scope.clone(),
                description: a.description.clone(),
            })
            .collect(),
        notes: step.notes.clone(),
    }
}

/// The problems of `step` (missing topic outputs, dashboards of unknown stacks).
pub(super) fn check(asm: &Assembly, step: &AlarmsStep, e: &mut Vec<String>) {
    if step.topics.is_empty() {
        e.push("alarms: at least one topic output is required".to_owned());
    }
    for (i, t) in step.topics.iter().enumerate() {
        super::check_output(asm, &format!("alarms.topics[{i}]"), t, e);
    }
    for d in &step.dashboards {
        if asm.stack(d).is_none() {
            e.push(format!(
                "alarms: dashboard stack `{d}` is not in the assembly"
            ));
        }
    }
}

/// Appends the section.
pub(super) fn render(o: &mut String, a: &AlarmsView) {
    o.push_str(
        "\n## Alarms and dashboards\n\nCloudWatch alarms watch the deployment and notify the SNS topic of their Region (output\n`AlarmTopicArn`):",
    );
    for (i, t) in a.topics.iter().enumerate() {
        let sep = if i == 0 { "" } else { "," };
        let _ = write!(o, "{sep} `{}` ({})", t.stack, t.region);
    }
    o.push_str(
        ". Every notification carries the alarm's description:\nwhat firing means and the first thing to check. On the first deploy `<Service>NoHealthyHosts`\nis in ALARM until the pods pass their health checks, and notifies OK once they do.\n\n",
    );
    if a.emails.is_empty() {
        o.push_str(
            "No address is subscribed (`alarms.emails` is empty). Subscribe one to each topic:\n",
        );
    } else {
        let _ = write!(
            o,
            "The stacks subscribe {}: each address gets a confirmation mail from AWS and receives\nnothing until it confirms. Subscribe more addresses to each topic:\n",
            a.emails
        );
    }
    o.push_str("\n```sh\n");
    for t in &a.topics {
        let _ = writeln!(
            o,
            "aws sns subscribe --region {} --topic-arn \"{}\" --protocol email --notification-endpoint you@example.com",
            t.region_word, t.lookup
        );
    }
    o.push_str("```\n\nDashboards (CloudWatch console, Dashboards), one per alarm stack:\n\n");
    for d in &a.dashboards {
        let _ = writeln!(o, "- `{}` ({})", d.name, d.region);
    }
    o.push_str(
        "\nThe alarms, by logical id (`<Service>` and `<Frontend>` stand for PascalCase names):\n\n",
    );
    for al in &a.alarms {
        let _ = writeln!(o, "- `{}` ({}): {}", al.id, al.scope, al.description);
    }
    for n in &a.notes {
        let _ = write!(o, "\n{n}\n");
    }
}
