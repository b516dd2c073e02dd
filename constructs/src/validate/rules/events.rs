//! Schedule expressions of EventBridge rules and EventBridge Scheduler schedules: FW-EVT-001.
//! A literal `ScheduleExpression` must be `rate(N unit)` or `cron(6 fields)` (and, for
//! Scheduler, `at(yyyy-mm-ddThh:mm:ss)`); CloudFormation fails the resource otherwise
//! (`Parameter ScheduleExpression is not valid`).

use super::{Ctx, lit_str};
use crate::validate::diagnostic::Severity;
use crate::validate::registry::{Check, Code, Rule};

/// What is wrong with `rate(…)`'s inside, if anything.
fn rate_problem(inner: &str) -> Option<String> {
    let parts: Vec<&str> = inner.split(' ').collect();
    let [n, unit] = parts.as_slice() else {
        return Some(format!("rate({inner}) is not `rate(Value Unit)`"));
    };
    let Ok(n) = n.parse::<u64>() else {
        return Some(format!("rate value {n:?} is not a positive integer"));
    };
    if n == 0 {
        return Some("rate value 0: the value must be positive".to_owned());
    }
    let want: &[&str] = if n == 1 {
        &["minute", "hour", "day"]
    } else {
        &["minutes", "hours", "days"]
    };
    (!want.contains(unit)).then(|| {
        format!(
            "rate unit {unit:?} with value {n}: use one of {} (singular for 1, plural otherwise)",
            want.join(", ")
        )
    })
}

const MONTHS: [&str; 12] = [
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: [&str; 7] = ["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// One cron field: `*`, `?` (day fields), and comma lists of values, ranges `a-b` and
/// increments `x/n`, within `lo..=hi` (or the month/day names). `L`, `W` and `#` forms in the
/// day fields are accepted without further checks.
fn cron_field_ok(field: &str, lo: u32, hi: u32, names: &[&str], day: bool) -> bool {
    if field == "*" || (day && field == "?") {
        return true;
    }
    if day && (field.contains('L') || field.contains('W') || field.contains('#')) {
        return field
            .chars()
            .all(|c| c.is_ascii_alphanumeric() || "#-,L".contains(c));
    }
    let value_ok = |v: &str| {
        v.parse::<u32>().is_ok_and(|n| (lo..=hi).contains(&n))
            || names.iter().any(|m| m.eq_ignore_ascii_case(v))
    };
    field.split(',').all(|item| {
        let (range, step) = match item.split_once('/') {
            Some((r, s)) => (r, Some(s)),
            None => (item, None),
        };
        let step_ok = step.is_none_or(|s| s.parse::<u32>().is_ok_and(|n| n > 0));
        let range_ok = range == "*"
            || match range.split_once('-') {
                Some((a, b)) => value_ok(a) && value_ok(b),
                None => value_ok(range),
            };
        step_ok && range_ok
    })
}

/// What is wrong with `cron(…)`'s inside, if anything.
fn cron_problem(inner: &str) -> Option<String> {
    let f: Vec<&str> = inner.split_whitespace().collect();
    let [min, hour, dom, month, dow, year] = f.as_slice() else {
        return Some(format!(
            "cron({inner}) has {} fields; EventBridge cron takes 6: Minutes Hours Day-of-month Month Day-of-week Year",
            f.len()
        ));
    };
    if *dom != "?" && *dow != "?" {
        return Some(format!(
            "cron({inner}) sets both Day-of-month ({dom}) and Day-of-week ({dow}); one of them must be ?"
        ));
    }
    let checks = [
        ("Minutes", *min, cron_field_ok(min, 0, 59, &[], false)),
        ("Hours", *hour, cron_field_ok(hour, 0, 23, &[], false)),
        ("Day-of-month", *dom, cron_field_ok(dom, 1, 31, &[], true)),
        ("Month", *month, cron_field_ok(month, 1, 12, &MONTHS, false)),
        ("Day-of-week", *dow, cron_field_ok(dow, 1, 7, &DAYS, true)),
        ("Year", *year, cron_field_ok(year, 1970, 2199, &[], false)),
    ];
    checks.iter().find(|(_, _, ok)| !ok).map(|(name, v, _)| {
        format!("cron({inner}): {name} field {v:?} is out of range or malformed")
    })
}

/// `at(yyyy-mm-ddThh:mm:ss)` (Scheduler one-time schedules).
fn at_problem(inner: &str) -> Option<String> {
    let b = inner.as_bytes();
    let shape = b.len() == 19
        && b.iter().enumerate().all(|(i, c)| match i {
            4 | 7 => *c == b'-',
            10 => *c == b'T',
            13 | 16 => *c == b':',
            _ => c.is_ascii_digit(),
        });
    (!shape).then(|| format!("at({inner}) is not at(yyyy-mm-ddThh:mm:ss)"))
}

/// The problem with a schedule expression, if any.
pub fn schedule_problem(expr: &str, one_time_allowed: bool) -> Option<String> {
    let inner = |p: &str| expr.strip_prefix(p).and_then(|r| r.strip_suffix(')'));
    if let Some(i) = inner("rate(") {
        rate_problem(i)
    } else if let Some(i) = inner("cron(") {
        cron_problem(i)
    } else if let Some(i) = inner("at(").filter(|_| one_time_allowed) {
        at_problem(i)
    } else {
        Some(format!(
            "{expr:?} is neither rate(Value Unit) nor cron(…){}",
            if one_time_allowed { " nor at(…)" } else { "" }
        ))
    }
}

fn schedule_expression(ctx: &mut Ctx<'_>) {
    for (ty, one_time) in [
        ("AWS::Events::Rule", false),
        ("AWS::Scheduler::Schedule", true),
    ] {
        for (id, p) in ctx.of_type(ty) {
            let Some(e) = lit_str(p.get("ScheduleExpression")) else {
                continue;
            };
            if let Some(why) = schedule_problem(e, one_time) {
                ctx.emit(
                    Code::EvtScheduleExpression,
                    Some(id),
                    "/Properties/ScheduleExpression",
                    why,
                    "write rate(5 minutes), rate(1 hour) or cron(0 12 * * ? *) (6 fields, ? in Day-of-month or Day-of-week)",
                );
            }
        }
    }
}

/// The rules of this family (see [`crate::validate::registry`]).
pub(crate) const RULES: &[Rule] = &[Rule {
    code: Code::EvtScheduleExpression,
    severity: Severity::Error,
    summary: "invalid cron/rate ScheduleExpression (Events::Rule, Scheduler::Schedule)",
    what: "a literal `ScheduleExpression` must be `rate(Value Unit)` — a positive integer, the unit singular for 1 (`minute`, `hour`, `day`) and plural otherwise — or `cron(Minutes Hours Day-of-month Month Day-of-week Year)` with 6 fields in range and `?` in one of the two day fields; Scheduler also takes `at(yyyy-mm-ddThh:mm:ss)`. CloudFormation fails the resource otherwise. cfn-lint E3027 checks the Events rule only; this also checks Scheduler schedules and field ranges.",
    fix: "e.g. `rate(5 minutes)`, `rate(1 hour)`, `cron(0 12 * * ? *)`.",
    source: "https://docs.aws.amazon.com/eventbridge/latest/userguide/eb-scheduled-rule-pattern.html; https://docs.aws.amazon.com/scheduler/latest/UserGuide/schedule-types.html",
    check: Check::Fn(schedule_expression),
}];

#[cfg(test)]
mod tests {
    use super::schedule_problem;

    #[test]
    fn expressions() {
        for ok in [
            "rate(1 minute)",
            "rate(5 minutes)",
            "rate(1 day)",
            "cron(0 12 * * ? *)",
            "cron(15 10 ? * 6L 2002-2005)",
            "cron(0/15 * ? * MON-FRI *)",
            "cron(0 8 1 JAN,JUL ? *)",
            "cron(0 18 ? * MON#2 *)",
        ] {
            assert_eq!(schedule_problem(ok, false), None, "{ok}");
        }
        assert_eq!(schedule_problem("at(2026-12-04T10:00:00)", true), None);
        for bad in [
            "rate(5 minute)",
            "rate(1 hours)",
            "rate(0 minutes)",
            "rate(five minutes)",
            "rate(5)",
            "cron(0 12 * * * *)",
            "cron(0 12 * *)",
            "cron(60 12 * * ? *)",
            "cron(0 24 ? * * *)",
            "cron(0 12 ? 13 * *)",
            "every 5 minutes",
            "at(2026-12-04T10:00:00)",
        ] {
            assert!(schedule_problem(bad, false).is_some(), "{bad}");
        }
    }
}
