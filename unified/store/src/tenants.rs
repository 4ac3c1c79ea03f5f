//! Tenants and their API keys. Keys are stored as SHA-256 hashes, never in clear.

use crate::db::{micros, parse_uuid};
use crate::{Store, StoreError};
use rusqlite::{OptionalExtension, params};
use sha2::{Digest, Sha256};
use uuid::Uuid;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Tenant {
    pub id: Uuid,
    pub name: String,
}

fn hash_key(api_key: &str) -> String {
    Sha256::digest(api_key.as_bytes())
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

impl Store {
    /// Creates a tenant that authenticates with `api_key`.
    pub async fn create_tenant(&self, name: &str, api_key: &str) -> Result<Tenant, StoreError> {
        let tenant = Tenant {
            id: Uuid::now_v7(),
            name: name.to_owned(),
        };
        let key_hash = hash_key(api_key);
        let t = tenant.clone();
        self.write(move |conn, _| {
            let now = micros(chrono::Utc::now());
            let tx = conn.transaction()?;
            tx.execute(
                "INSERT INTO tenants (id, name, created_at) VALUES (?1, ?2, ?3)",
                params![t.id.to_string(), t.name, now],
            )?;
            tx.execute(
                "INSERT INTO api_keys (key_hash, tenant_id, created_at) VALUES (?1, ?2, ?3)",
                params![key_hash, t.id.to_string(), now],
            )?;
            tx.commit()?;
            Ok(())
        })
        .await?;
        Ok(tenant)
    }

    /// The tenant `api_key` belongs to, if any.
    pub async fn tenant_for_key(&self, api_key: &str) -> Result<Option<Tenant>, StoreError> {
        let key_hash = hash_key(api_key);
        self.read(move |conn, _| {
            let row = conn
                .prepare_cached(
                    "SELECT t.id, t.name FROM api_keys k JOIN tenants t ON t.id = k.tenant_id
                     WHERE k.key_hash = ?1",
                )?
                .query_row([key_hash], |r| {
                    Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?))
                })
                .optional()?;
            row.map(|(id, name)| {
                Ok(Tenant {
                    id: parse_uuid(&id)?,
                    name,
                })
            })
            .transpose()
        })
        .await
    }

    /// The tenant that owns `api_key`, created on first use. Used by `serve` for its default tenant.
    pub async fn ensure_tenant(&self, name: &str, api_key: &str) -> Result<Tenant, StoreError> {
        match self.tenant_for_key(api_key).await? {
            Some(t) => Ok(t),
            None => self.create_tenant(name, api_key).await,
        }
    }
}

#[cfg(test)]
mod tests {
    use crate::test_support::temp_store;

    #[tokio::test]
    async fn keys_find_their_tenant_and_nothing_else() {
        let (store, _dir) = temp_store().await;
        let a = store.create_tenant("a", "key-a").await.unwrap();
        let b = store.ensure_tenant("b", "key-b").await.unwrap();
        assert_eq!(store.tenant_for_key("key-a").await.unwrap(), Some(a));
        assert_eq!(store.ensure_tenant("b", "key-b").await.unwrap(), b);
        assert_eq!(store.tenant_for_key("key-c").await.unwrap(), None);
    }
}
