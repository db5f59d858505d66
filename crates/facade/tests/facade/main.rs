//! The facade against the real sandboxes over HTTP on 127.0.0.1: every login path of every
//! service, the fault modes, and the safety rules.

mod clients;
mod common;
mod faults;
mod flows;
mod mattermost;
mod reuse;
mod safety;
