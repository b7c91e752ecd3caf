//! Candidates and their tokens.

use super::{Store, StoreError, rfc3339, token_hash};
use sqlx::Row;

/// An invited candidate, as `admin list` shows them.
#[derive(Debug, Clone, PartialEq, serde::Serialize)]
pub struct CandidateRow {
    /// Their name.
    pub name: String,
    /// When they were invited (RFC 3339).
    pub invited_at: String,
    /// When their token was revoked.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub revoked_at: Option<String>,
    /// Submissions so far.
    pub submissions: i64,
}

/// Whom a token belongs to.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Account {
    /// Their row.
    pub id: i64,
    /// Their name.
    pub name: String,
    /// Whether the token was revoked.
    pub revoked: bool,
}

/// A new bearer token: 256 random bits.
fn new_token() -> Result<String, StoreError> {
    let mut bytes = [0u8; 32];
    getrandom::fill(&mut bytes)
        .map_err(|e| StoreError::Db(sqlx::Error::Protocol(format!("no randomness: {e}"))))?;
    let hex: String = bytes.iter().map(|b| format!("{b:02x}")).collect();
    Ok(format!("gvl_{hex}"))
}

impl Store {
    /// Invites `name`: returns their token, which is stored only hashed.
    pub async fn invite(&self, name: &str) -> Result<String, StoreError> {
        let result = async {
            let token = new_token()?;
            let inserted = sqlx::query(
                "INSERT INTO candidates (name, token_sha256, created_at) VALUES ($1, $2, $3) \
                 ON CONFLICT (name) DO NOTHING",
            )
            .bind(name)
            .bind(token_hash(&token))
            .bind(self.now())
            .execute(&self.pool)
            .await?;
            if inserted.rows_affected() == 0 {
                return Err(StoreError::Exists(name.to_owned()));
            }
            Ok(token)
        }
        .await;
        self.track(result)
    }

    /// Revokes `name`'s token.
    pub async fn revoke(&self, name: &str) -> Result<(), StoreError> {
        let result = async {
            let updated = sqlx::query(
                "UPDATE candidates SET revoked_at = $1 WHERE name = $2 AND revoked_at IS NULL",
            )
            .bind(self.now())
            .bind(name)
            .execute(&self.pool)
            .await?;
            if updated.rows_affected() == 0 {
                let exists = sqlx::query("SELECT id FROM candidates WHERE name = $1")
                    .bind(name)
                    .fetch_optional(&self.pool)
                    .await?;
                if exists.is_none() {
                    return Err(StoreError::NoSuchCandidate(name.to_owned()));
                }
            }
            Ok(())
        }
        .await;
        self.track(result)
    }

    /// Every invited candidate, by name.
    pub async fn candidates(&self) -> Result<Vec<CandidateRow>, StoreError> {
        let rows = sqlx::query(
            "SELECT c.name, c.created_at, c.revoked_at, \
               (SELECT COUNT(*) FROM submissions s WHERE s.candidate_id = c.id AND s.kind = 'exercise') AS submissions \
             FROM candidates c ORDER BY c.name",
        )
        .fetch_all(&self.pool)
        .await?;
        Ok(rows
            .iter()
            .map(|row| CandidateRow {
                name: row.get("name"),
                invited_at: rfc3339(row.get("created_at")),
                revoked_at: row.get::<Option<i64>, _>("revoked_at").map(rfc3339),
                submissions: row.get("submissions"),
            })
            .collect())
    }

    /// The account a token belongs to.
    pub async fn authenticate(&self, token: &str) -> Result<Option<Account>, StoreError> {
        let row =
            sqlx::query("SELECT id, name, revoked_at FROM candidates WHERE token_sha256 = $1")
                .bind(token_hash(token))
                .fetch_optional(&self.pool)
                .await?;
        Ok(row.map(|row| Account {
            id: row.get("id"),
            name: row.get("name"),
            revoked: row.get::<Option<i64>, _>("revoked_at").is_some(),
        }))
    }
}

#[cfg(test)]
mod tests {
    use super::super::tests::store;
    use super::*;

    #[tokio::test]
    async fn tokens_are_stored_hashed_and_revocation_is_kept() {
        let (dir, store) = store().await;
        let token = store.invite("ada").await.unwrap();
        assert!(token.starts_with("gvl_") && token.len() == 68);
        assert!(matches!(
            store.invite("ada").await,
            Err(StoreError::Exists(_))
        ));
        let account = store.authenticate(&token).await.unwrap().unwrap();
        assert_eq!((account.name.as_str(), account.revoked), ("ada", false));
        assert!(store.authenticate("gvl_nope").await.unwrap().is_none());
        store.revoke("ada").await.unwrap();
        assert!(store.authenticate(&token).await.unwrap().unwrap().revoked);
        assert!(matches!(
            store.revoke("bob").await,
            Err(StoreError::NoSuchCandidate(_))
        ));
        // The database holds no token.
        let bytes = std::fs::read(dir.path().join("state.sqlite")).unwrap();
        let text = String::from_utf8_lossy(&bytes);
        assert!(!text.contains(&token[4..]));
        // Reopened: the state is there.
        store.close().await;
        let again = Store::open_dir(dir.path()).await.unwrap();
        assert!(again.authenticate(&token).await.unwrap().unwrap().revoked);
    }
}
