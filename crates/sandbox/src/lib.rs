#![doc = include_str!("../README.md")]
#![deny(missing_docs)]

mod accounts;
mod expiring;
mod fault;
mod limits;
mod mattermost;
mod projectthanos;
mod recorder;
mod remoteit;
mod rocketchat;
mod sandbox;
mod server;
mod service;
mod token;
mod txty;

pub use accounts::{
    DEMO_ACCOUNTS, DEMO_PASSWORD, DemoAccount, REMOTEIT_DEVELOPER_KEY, SECOND_FACTOR_CODE,
    demo_accounts,
};
pub use fault::{Fault, UnknownFault};
pub use recorder::RecordedRequest;
pub use sandbox::{
    DEFAULT_FAILURE_LIFETIME, DEFAULT_RATE_LIMIT, DEFAULT_RATE_LIMIT_WINDOW, Sandbox,
    SandboxBuilder, SandboxError,
};
pub use service::{Service, UnknownService};
