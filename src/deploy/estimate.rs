//! How long a rollout takes, from the same rules as the StackSets
//! simulator (docs/scale.md): per Region, the accounts go in rounds of
//! MaxConcurrent (a percentage rounds down, never below 1; with
//! STRICT_FAILURE_TOLERANCE no more than the tolerance + 1); Regions one
//! after the other (SEQUENTIAL) or at once (PARALLEL); a StackSet's
//! operations one after the other; StackSets side by side except where one
//! depends on another. A round takes [`ROUND_SECONDS`].

use std::collections::BTreeMap;

use crate::bundle::{Amount, OperationPreferences};

/// One round of stack instances: the slowest of a round of this template's
/// instances (log-normal, median 45 s, docs/scale.md), rounded up.
pub const ROUND_SECONDS: f64 = 90.0;

/// Accounts operated on per Region by one StackSet operation.
pub type Operation = BTreeMap<String, usize>;

fn amount(a: &Amount, n: usize) -> usize {
    match *a {
        Amount::Count(c) => c as usize,
        Amount::Percentage(p) => (p as usize * n) / 100,
    }
}

/// Accounts at a time in a Region of `n` accounts.
pub fn concurrency(p: &OperationPreferences, n: usize) -> usize {
    let max = amount(&p.max_concurrent, n).max(1);
    if p.concurrency_mode == "STRICT_FAILURE_TOLERANCE" {
        max.min(amount(&p.failure_tolerance, n) + 1)
    } else {
        max
    }
}

/// Seconds one operation takes.
pub fn operation_seconds(p: &OperationPreferences, op: &Operation) -> f64 {
    let rounds = op.values().filter(|n| **n > 0).map(|&n| n.div_ceil(concurrency(p, n)));
    let rounds = if p.region_concurrency == "SEQUENTIAL" {
        rounds.sum::<usize>()
    } else {
        rounds.max().unwrap_or(0)
    };
    rounds as f64 * ROUND_SECONDS
}

/// One StackSet's operations, in turn.
pub struct SetWork<'a> {
    pub name: &'a str,
    pub preferences: &'a OperationPreferences,
    pub operations: Vec<Operation>,
    pub depends_on: &'a [String],
}

/// Seconds the whole rollout takes: the longest chain of StackSets that
/// depend on one another.
pub fn rollout_seconds(sets: &[SetWork<'_>]) -> f64 {
    fn finish(i: usize, sets: &[SetWork<'_>], depth: usize) -> f64 {
        let own: f64 = sets[i].operations.iter().map(|o| operation_seconds(sets[i].preferences, o)).sum();
        let before = sets[i]
            .depends_on
            .iter()
            .filter_map(|d| sets.iter().position(|s| s.name == d))
            .filter(|_| depth < sets.len())
            .map(|j| finish(j, sets, depth + 1))
            .fold(0.0, f64::max);
        before + own
    }
    (0..sets.len()).map(|i| finish(i, sets, 0)).fold(0.0, f64::max)
}

/// The preferences sessionlog recommends (docs/scale.md): every account of
/// every Region at once, failures not slowing the rest.
pub fn fastest(p: &OperationPreferences) -> OperationPreferences {
    OperationPreferences {
        region_concurrency: "PARALLEL".into(),
        max_concurrent: Amount::Percentage(100),
        failure_tolerance: p.failure_tolerance.clone(),
        concurrency_mode: "SOFT_FAILURE_TOLERANCE".into(),
    }
}

/// `1 h 05 min`, `12 min`, `40 s`.
pub fn human(seconds: f64) -> String {
    let s = seconds.round() as u64;
    match s {
        0..=59 => format!("{s} s"),
        60..=3599 => format!("{} min", s.div_ceil(60)),
        _ => format!("{} h {:02} min", s / 3600, (s % 3600).div_ceil(60).min(59)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn prefs(region: &str, max: Amount, tol: Amount, mode: &str) -> OperationPreferences {
        OperationPreferences {
            region_concurrency: region.into(),
            max_concurrent: max,
            failure_tolerance: tol,
            concurrency_mode: mode.into(),
        }
    }

    fn op(n: usize, regions: usize) -> Operation {
        (0..regions).map(|r| (format!("r{r}"), n)).collect()
    }

    #[test]
    fn rounds_follow_the_documented_rules() {
        // 4 accounts × 2 Regions, 2 at a time: 2 rounds per Region.
        let seq = prefs("SEQUENTIAL", Amount::Count(2), Amount::Count(1), "STRICT_FAILURE_TOLERANCE");
        assert_eq!(operation_seconds(&seq, &op(4, 2)), 4.0 * ROUND_SECONDS);
        let par = prefs("PARALLEL", Amount::Count(2), Amount::Count(1), "STRICT_FAILURE_TOLERANCE");
        assert_eq!(operation_seconds(&par, &op(4, 2)), 2.0 * ROUND_SECONDS);
        // STRICT with tolerance 0: one at a time; SOFT: as asked.
        let strict = prefs("PARALLEL", Amount::Count(4), Amount::Count(0), "STRICT_FAILURE_TOLERANCE");
        assert_eq!(operation_seconds(&strict, &op(4, 2)), 4.0 * ROUND_SECONDS);
        let soft = prefs("PARALLEL", Amount::Count(4), Amount::Count(0), "SOFT_FAILURE_TOLERANCE");
        assert_eq!(operation_seconds(&soft, &op(4, 2)), ROUND_SECONDS);
        // 25% of 1,000 accounts: 4 rounds; 10% of 4 rounds down to 0, then 1.
        let quarter = prefs("PARALLEL", Amount::Percentage(25), Amount::Count(0), "SOFT_FAILURE_TOLERANCE");
        assert_eq!(operation_seconds(&quarter, &op(1000, 17)), 4.0 * ROUND_SECONDS);
        assert_eq!(
            concurrency(&prefs("PARALLEL", Amount::Percentage(10), Amount::Count(0), "SOFT_FAILURE_TOLERANCE"), 4),
            1
        );
    }

    #[test]
    fn stack_sets_run_side_by_side_except_along_dependencies() {
        let p = prefs("PARALLEL", Amount::Percentage(100), Amount::Count(0), "SOFT_FAILURE_TOLERANCE");
        let deps = ["iam".to_string()];
        let sets = [
            SetWork {
                name: "iam",
                preferences: &p,
                operations: vec![op(10, 1)],
                depends_on: &[],
            },
            SetWork {
                name: "regional",
                preferences: &p,
                operations: vec![op(10, 16), op(2, 16)],
                depends_on: &deps,
            },
            SetWork {
                name: "guard",
                preferences: &p,
                operations: vec![op(10, 1)],
                depends_on: &[],
            },
        ];
        assert_eq!(rollout_seconds(&sets), 3.0 * ROUND_SECONDS);
        assert_eq!(human(3.0 * ROUND_SECONDS), "5 min");
        assert_eq!(human(7300.0), "2 h 02 min");
    }
}
