//! The seeded demo accounts (fixed by the project's wire contract).

use crate::Service;

/// Password of every demo account.
pub const DEMO_PASSWORD: &str = "demo-password";

/// The fixed second-factor code (Txty `tfkey`, Rocket.Chat `code` / `x-2fa-code`,
/// Mattermost `token`).
pub const SECOND_FACTOR_CODE: &str = "123456";

/// The only developer key the remote.it sandbox accepts (header `developerkey`).
pub const REMOTEIT_DEVELOPER_KEY: &str = "sandbox-developer-key";

/// A seeded account, for documentation and for printing by tools.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
#[non_exhaustive]
pub struct DemoAccount {
    /// The service the account lives on.
    pub service: Service,
    /// User name (or e-mail) to log in with.
    pub user: &'static str,
    /// Password.
    pub password: &'static str,
    /// Developer key the request must carry, where the service needs one.
    pub developer_key: Option<&'static str>,
    /// Second-factor code, for accounts with two-factor authentication.
    pub second_factor_code: Option<&'static str>,
    /// What a login with this account does.
    pub outcome: &'static str,
}

const fn account(
    service: Service,
    user: &'static str,
    developer_key: Option<&'static str>,
    second_factor_code: Option<&'static str>,
    outcome: &'static str,
) -> DemoAccount {
    DemoAccount {
        service,
        user,
        password: DEMO_PASSWORD,
        developer_key,
        second_factor_code,
        outcome,
    }
}

/// Every seeded account, grouped by service in [`Service::ALL`] order.
pub const DEMO_ACCOUNTS: &[DemoAccount] = &[
    account(
        Service::RemoteIt,
        "demo@remote.it",
        Some(REMOTEIT_DEVELOPER_KEY),
        None,
        "200 status \"true\" with token and service_authhash",
    ),
    account(
        Service::RemoteIt,
        "mfa@remote.it",
        Some(REMOTEIT_DEVELOPER_KEY),
        None,
        "401 status \"false\", code SMS_MFA",
    ),
    account(
        Service::Txty,
        "demo",
        None,
        None,
        "ADDED_KEY with a new API key",
    ),
    account(
        Service::Txty,
        "demo-2fa",
        None,
        Some(SECOND_FACTOR_CODE),
        "ADDED_TF, then ADDED_KEY when tfkey=123456 is sent",
    ),
    account(
        Service::ProjectThanos,
        "retailer@projectthanos.com",
        None,
        None,
        "200, org_type RETAILER",
    ),
    account(
        Service::ProjectThanos,
        "supplier@projectthanos.com",
        None,
        None,
        "200, org_type SUPPLIER",
    ),
    account(
        Service::ProjectThanos,
        "noaccess@projectthanos.com",
        None,
        None,
        "403 permission denied",
    ),
    account(
        Service::RocketChat,
        "demo",
        None,
        None,
        "200 with authToken and userId (e-mail demo@example.com works too)",
    ),
    account(
        Service::RocketChat,
        "demo-2fa",
        None,
        Some(SECOND_FACTOR_CODE),
        "401 totp-required, then 200 with code 123456 (e-mail demo-2fa@example.com works too)",
    ),
    account(
        Service::Mattermost,
        "demo",
        None,
        None,
        "200 with the session token in header Token (e-mail demo@example.com works too)",
    ),
    account(
        Service::Mattermost,
        "demo-mfa",
        None,
        Some(SECOND_FACTOR_CODE),
        "401 mfa.validate_token.authenticate.app_error, then 200 with token 123456",
    ),
    account(
        Service::Mattermost,
        "inactive",
        None,
        None,
        "401 api.user.login.inactive.app_error (deactivated)",
    ),
];

/// The seeded accounts of one service.
pub fn demo_accounts(service: Service) -> impl Iterator<Item = &'static DemoAccount> {
    DEMO_ACCOUNTS.iter().filter(move |a| a.service == service)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_service_has_accounts() {
        for s in Service::ALL {
            assert!(demo_accounts(s).count() >= 2, "{s}");
        }
    }
}
