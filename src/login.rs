//! Which gavel server the candidate's commands talk to: `--server`/`--token`
//! (or `GAVEL_SERVER`/`GAVEL_TOKEN`), else what `gavel login` saved in the
//! user's config directory (`$XDG_CONFIG_HOME/gavel/login.toml`, else
//! `~/.config/gavel/login.toml`), readable by the user only.

use anyhow::{Context as _, Result};
use gavel_api::Client;
use gavel_core::fs::write_private;
use serde::{Deserialize, Serialize};
use std::path::PathBuf;

/// What `gavel login` saves.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub(crate) struct Login {
    pub(crate) server: String,
    pub(crate) token: String,
}

/// Where the login is saved.
pub(crate) fn login_path() -> Option<PathBuf> {
    let var = |name| std::env::var_os(name).filter(|d| !d.is_empty());
    let dir = var("XDG_CONFIG_HOME")
        .map(PathBuf::from)
        .or_else(|| var("HOME").map(|h| PathBuf::from(h).join(".config")))?;
    Some(dir.join("gavel").join("login.toml"))
}

/// The saved login, if any.
pub(crate) fn saved() -> Result<Option<Login>> {
    let Some(path) = login_path() else {
        return Ok(None);
    };
    let text = match std::fs::read_to_string(&path) {
        Ok(text) => text,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
        Err(e) => return Err(e).with_context(|| format!("cannot read `{}`", path.display())),
    };
    let login = toml::from_str(&text).with_context(|| {
        format!(
            "`{}` is not a gavel login (run `gavel login` again)",
            path.display()
        )
    })?;
    Ok(Some(login))
}

/// Saves `login` (0600), replacing any earlier one.
pub(crate) fn save(login: &Login) -> Result<PathBuf> {
    let path = login_path().context("no config directory: set HOME or XDG_CONFIG_HOME")?;
    let text = toml::to_string(login)?;
    write_private(&path, text.as_bytes())
        .with_context(|| format!("cannot write `{}`", path.display()))?;
    Ok(path)
}

/// Forgets the saved login; whether there was one.
pub(crate) fn forget() -> Result<bool> {
    let Some(path) = login_path() else {
        return Ok(false);
    };
    match std::fs::remove_file(&path) {
        Ok(()) => Ok(true),
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => Ok(false),
        Err(e) => Err(e).with_context(|| format!("cannot remove `{}`", path.display())),
    }
}

/// The server to talk to, if one is configured.
pub(crate) fn client(server: Option<&str>, token: Option<&str>) -> Result<Option<Client>> {
    let saved = saved()?;
    let server = server
        .map(str::to_owned)
        .or_else(|| saved.as_ref().map(|l| l.server.clone()));
    let Some(server) = server else {
        return Ok(None);
    };
    let token = token
        .map(str::to_owned)
        .or_else(|| saved.as_ref().map(|l| l.token.clone()))
        .with_context(|| {
            format!("no token for the server {server}: pass --token, set GAVEL_TOKEN or run `gavel login {server} TOKEN`")
        })?;
    Ok(Some(Client::new(&server, &token)))
}
