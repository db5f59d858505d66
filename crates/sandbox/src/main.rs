//! `apilogin-sandbox` (also `cargo xtask sandbox`): serves every look-alike service on
//! 127.0.0.1 until Ctrl-C, and prints their base URLs and demo accounts.

use apilogin_sandbox::{DEMO_ACCOUNTS, Sandbox, Service};

#[tokio::main]
async fn main() -> std::process::ExitCode {
    let mut running = Vec::new();
    for service in Service::ALL {
        match Sandbox::start(service).await {
            Ok(sandbox) => running.push(sandbox),
            Err(e) => {
                eprintln!("error: {e}");
                return std::process::ExitCode::FAILURE;
            }
        }
    }
    println!("Sandbox servers (Ctrl-C stops them):");
    for sandbox in &running {
        println!("  {:<15} {}", sandbox.service().name(), sandbox.base_url());
    }
    println!("\nDemo accounts:");
    println!(
        "  {:<15} {:<28} {:<14} {:<22} {:<7} outcome",
        "service", "user", "password", "developer key", "code"
    );
    for account in DEMO_ACCOUNTS {
        println!(
            "  {:<15} {:<28} {:<14} {:<22} {:<7} {}",
            account.service.name(),
            account.user,
            account.password,
            account.developer_key.unwrap_or("-"),
            account.second_factor_code.unwrap_or("-"),
            account.outcome
        );
    }
    if let Err(e) = tokio::signal::ctrl_c().await {
        eprintln!("error: cannot wait for Ctrl-C: {e}");
    }
    for sandbox in running {
        sandbox.shutdown().await;
    }
    std::process::ExitCode::SUCCESS
}
