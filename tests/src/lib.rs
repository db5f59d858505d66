//! Shared helpers of the workspace-level integration tests in `tests/tests/`.
//!
//! * [`proxy`]: a recording forwarder between a generated client and a sandbox, so the exact
//!   bytes on the wire can be checked;
//! * [`contract`]: the check of recorded exchanges (and of the specs' own examples) against
//!   `specs/*.yaml`, with the `jsonschema` crate;
//! * [`generate`]: requests built from a spec's schemas, valid and broken, for the
//!   generated-request test;
//! * [`harness`]: one sandbox + one proxy + the spec's checker per test, and the scenario macro;
//! * [`redirect`]: a redirector and, on another origin, a catcher that records what reaches it;
//! * [`clients`]: building the generated clients (secret headers, timeouts) and classifying
//!   their errors.

pub mod clients;
pub mod contract;
pub mod generate;
pub mod harness;
pub mod mediaserver;
pub mod proxy;
pub mod redirect;

use std::future::Future;
use std::time::Duration;

pub use contract::{ContractChecker, Violation};
pub use harness::Harness;
pub use proxy::{Exchange, RecordingProxy};

/// Upper bound for any one test: a hang fails the test instead of hanging CI.
pub const TEST_LIMIT: Duration = Duration::from_secs(20);

/// The `q` quantile (0..=1) of sorted durations, by the nearest-rank method (the benches' p50
/// and p99).
///
/// # Panics
/// On an empty slice.
pub fn quantile(sorted: &[Duration], q: f64) -> Duration {
    let rank = ((q * sorted.len() as f64).ceil() as usize).clamp(1, sorted.len());
    sorted[rank - 1]
}

/// Awaits `fut`, panicking if it takes longer than `limit`.
pub async fn within<F: Future>(limit: Duration, fut: F) -> F::Output {
    match tokio::time::timeout(limit, fut).await {
        Ok(out) => out,
        Err(_) => panic!("did not finish within {limit:?}"),
    }
}

/// Turns `async fn NAME() -> Harness` scenarios into tests.
///
/// For each scenario, a test `scenario::NAME` runs it (own sandbox, own proxy, own ports) and
/// asserts its contract ([`Harness::assert_contract`]). One more test,
/// `every_documented_outcome_is_exercised`, runs all of them and asserts that together they
/// cover every outcome the service's spec documents
/// ([`ContractChecker::documented_outcomes`]).
#[macro_export]
macro_rules! scenario_tests {
    ($service:expr; $($scenario:ident),+ $(,)?) => {
        /// One test per scenario, each with its own sandbox and proxy.
        mod scenario {
            $(
                #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
                async fn $scenario() {
                    $crate::within($crate::TEST_LIMIT, super::$scenario())
                        .await
                        .assert_contract();
                }
            )+
        }

        /// Together the scenarios exercise every outcome the spec documents.
        #[tokio::test(flavor = "multi_thread", worker_threads = 2)]
        async fn every_documented_outcome_is_exercised() {
            let mut all = Vec::new();
            $( all.push($crate::within($crate::TEST_LIMIT, $scenario()).await); )+
            $crate::harness::assert_coverage($service, all);
        }
    };
}
