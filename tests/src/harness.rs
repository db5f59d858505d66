//! One test's world: a sandbox, a recording proxy in front of it, and the spec's checker.

use std::collections::BTreeSet;
use std::sync::{Arc, Mutex, MutexGuard};

use apilogin_sandbox::{Sandbox, SandboxBuilder, Service};

use crate::contract::{ContractChecker, Violation};
use crate::proxy::{Exchange, RecordingProxy};

/// A sandbox of one service with a [`RecordingProxy`] in front; clients use
/// [`base_url`](Harness::base_url), so every exchange is recorded and checked.
pub struct Harness {
    /// The emulated service.
    pub service: Service,
    /// The sandbox (its own ephemeral ports).
    pub sandbox: Sandbox,
    /// The proxy the clients talk to.
    pub proxy: RecordingProxy,
    /// The checker of the service's spec.
    pub checker: Arc<ContractChecker>,
    expected: Mutex<Vec<String>>,
    attributions: Mutex<Vec<(String, String)>>,
}

impl std::fmt::Debug for Harness {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Harness")
            .field("sandbox", &self.sandbox)
            .field("proxy", &self.proxy)
            .finish_non_exhaustive()
    }
}

fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|e| e.into_inner())
}

impl Harness {
    /// A default sandbox of `service` behind a proxy.
    pub async fn start(service: Service) -> Harness {
        Harness::from_builder(service, Sandbox::builder(service)).await
    }

    /// A sandbox built from `builder` (which must be for `service`) behind a proxy.
    ///
    /// # Panics
    /// If a listener cannot be bound.
    pub async fn from_builder(service: Service, builder: SandboxBuilder) -> Harness {
        let sandbox = builder.start().await.expect("sandbox starts");
        assert_eq!(sandbox.service(), service, "builder of another service");
        let proxy = RecordingProxy::start(sandbox.base_url())
            .await
            .expect("proxy starts");
        Harness {
            service,
            sandbox,
            proxy,
            checker: ContractChecker::for_spec(service.id()),
            expected: Mutex::new(Vec::new()),
            attributions: Mutex::new(Vec::new()),
        }
    }

    /// The base URL clients should use (the proxy's, with the service's base path).
    pub fn base_url(&self) -> &str {
        self.proxy.base_url()
    }

    /// Declares that a violation containing `needle` is expected (a request made malformed on
    /// purpose); [`assert_contract`](Harness::assert_contract) then demands it.
    pub fn expect_violation(&self, needle: &str) {
        lock(&self.expected).push(needle.to_owned());
    }

    /// Checks exchanges sent to exactly `path` as `operation_id` (a deliberately wrong URL).
    pub fn attribute(&self, path: &str, operation_id: &str) {
        lock(&self.attributions).push((path.to_owned(), operation_id.to_owned()));
    }

    /// The recorded exchanges, with attributions applied.
    pub fn exchanges(&self) -> Vec<Exchange> {
        let attributions = lock(&self.attributions).clone();
        let mut exchanges = self.proxy.exchanges();
        for ex in &mut exchanges {
            if let Some((_, op)) = attributions.iter().find(|(p, _)| *p == ex.path) {
                ex.attributed_to = Some(op.clone());
            }
        }
        exchanges
    }

    /// The violations not declared with [`expect_violation`](Harness::expect_violation), and
    /// the declared needles no violation matched.
    pub fn contract_problems(&self) -> (Vec<Violation>, Vec<String>) {
        let violations = self.checker.check(&self.exchanges());
        let expected = lock(&self.expected).clone();
        let unexpected = violations
            .iter()
            .filter(|v| !expected.iter().any(|n| v.to_string().contains(n.as_str())))
            .cloned()
            .collect();
        let unmet = expected
            .into_iter()
            .filter(|n| {
                !violations
                    .iter()
                    .any(|v| v.to_string().contains(n.as_str()))
            })
            .collect();
        (unexpected, unmet)
    }

    /// Asserts that every exchange followed the spec (apart from the expected violations, which
    /// must all have been found), and that there was at least one exchange.
    ///
    /// # Panics
    /// Listing every problem.
    pub fn assert_contract(self) {
        let exchanges = self.proxy.exchanges();
        assert!(!exchanges.is_empty(), "no request went through the proxy");
        let (unexpected, unmet) = self.contract_problems();
        let mut report = String::new();
        for v in &unexpected {
            report.push_str(&format!("\n  violation: {v}"));
        }
        for n in &unmet {
            report.push_str(&format!(
                "\n  expected a violation containing {n:?}; none found"
            ));
        }
        assert!(
            report.is_empty(),
            "{} contract ({} exchanges):{report}",
            self.service,
            exchanges.len()
        );
    }
}

/// Asserts each harness's contract, then that together they show every documented outcome of
/// `service`'s spec.
///
/// # Panics
/// On a contract problem, or listing the outcomes nobody exercised.
pub fn assert_coverage(service: Service, harnesses: Vec<Harness>) {
    let checker = ContractChecker::for_spec(service.id());
    let mut observed = BTreeSet::new();
    for h in harnesses {
        observed.extend(checker.observed_outcomes(&h.exchanges()));
        h.assert_contract();
    }
    let missing: Vec<String> = checker
        .documented_outcomes()
        .difference(&observed)
        .cloned()
        .collect();
    assert!(
        missing.is_empty(),
        "{service}: documented outcomes never exercised: {missing:#?}\nobserved: {observed:#?}"
    );
}
