//! The session `apilogin login rocketchat` stored, in a program:
//! `cargo run -p apilogin --example stored_session --features store`.

use apilogin::store::Selector;
use apilogin::{ServiceKind, Store};

#[tokio::main]
async fn main() -> Result<(), Box<dyn std::error::Error>> {
    // The command's store (APILOGIN_CONFIG_DIR, else ~/.config/apilogin), with its lock,
    // file modes and keyring; `Store::open_at(dir)` opens another folder.
    let store = Store::open()?;
    // Rocket.Chat's default account; `Selector::default().server(url).user(name)` picks
    // another. None stored: an error that says to run `apilogin login rocketchat`. An
    // expired one is renewed first where the service can, once for every process.
    let session = store
        .session(ServiceKind::RocketChat, &Selector::default())
        .await?;
    let me = session.verify().await?;
    println!("{me} on {}", session.service());
    Ok(())
}
