//! Idempotency keys: a write sent twice with the same key and body is answered once by the source
//! and replayed the second time; the same key with another body is refused.

use crate::db::micros;
use crate::{Store, StoreError};
use rusqlite::{OptionalExtension, params};
use uuid::Uuid;

/// The answer kept for a key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct StoredResponse {
    pub status: u16,
    pub location: Option<String>,
    pub body: Vec<u8>,
}

/// What to do with a request that carries an idempotency key.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum IdempotentStart {
    /// First use of the key: the write may go ahead; it is recorded as in progress.
    Proceed,
    /// The same request was answered before: send this again.
    Replay(StoredResponse),
    /// The key was used for another request.
    Mismatch,
    /// The same request is being handled right now.
    InProgress,
}

impl Store {
    /// Claims `key` for the request `fingerprint` (method, path and body digest), atomically.
    pub async fn start_idempotent(
        &self,
        tenant_id: Uuid,
        key: &str,
        fingerprint: &str,
    ) -> Result<IdempotentStart, StoreError> {
        let (key, fingerprint) = (key.to_owned(), fingerprint.to_owned());
        self.write(move |conn, _| {
            let tx = conn.transaction()?;
            let existing = tx
                .prepare_cached(
                    "SELECT fingerprint, status, location, body FROM idempotency_keys
                     WHERE tenant_id = ?1 AND key = ?2",
                )?
                .query_row(params![tenant_id.to_string(), key], |r| {
                    Ok((
                        r.get::<_, String>(0)?,
                        r.get::<_, Option<u16>>(1)?,
                        r.get::<_, Option<String>>(2)?,
                        r.get::<_, Option<Vec<u8>>>(3)?,
                    ))
                })
                .optional()?;
            let start = match existing {
                Some((f, _, _, _)) if f != fingerprint => IdempotentStart::Mismatch,
                Some((_, None, _, _)) => IdempotentStart::InProgress,
                Some((_, Some(status), location, body)) => {
                    IdempotentStart::Replay(StoredResponse {
                        status,
                        location,
                        body: body.unwrap_or_default(),
                    })
                }
                None => {
                    tx.execute(
                        "INSERT INTO idempotency_keys (tenant_id, key, fingerprint, created_at)
                         VALUES (?1, ?2, ?3, ?4)",
                        params![
                            tenant_id.to_string(),
                            key,
                            fingerprint,
                            micros(crate::db::now())
                        ],
                    )?;
                    IdempotentStart::Proceed
                }
            };
            tx.commit()?;
            Ok(start)
        })
        .await
    }

    /// Records the answer to a claimed key, to be replayed from now on.
    pub async fn finish_idempotent(
        &self,
        tenant_id: Uuid,
        key: &str,
        response: StoredResponse,
    ) -> Result<(), StoreError> {
        let key = key.to_owned();
        self.write(move |conn, _| {
            conn.execute(
                "UPDATE idempotency_keys SET status = ?3, location = ?4, body = ?5
                 WHERE tenant_id = ?1 AND key = ?2",
                params![
                    tenant_id.to_string(),
                    key,
                    response.status,
                    response.location,
                    response.body
                ],
            )?;
            Ok(())
        })
        .await
    }

    /// Releases a claimed key without an answer (the write may be retried with it).
    pub async fn abandon_idempotent(&self, tenant_id: Uuid, key: &str) -> Result<(), StoreError> {
        let key = key.to_owned();
        self.write(move |conn, _| {
            conn.execute(
                "DELETE FROM idempotency_keys WHERE tenant_id = ?1 AND key = ?2 AND status IS NULL",
                params![tenant_id.to_string(), key],
            )?;
            Ok(())
        })
        .await
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::test_support::temp_store;

    #[tokio::test]
    async fn a_key_is_claimed_once_replayed_and_bound_to_its_request() {
        let (store, _dir) = temp_store().await;
        let t = store.create_tenant("t", "k").await.unwrap().id;
        let other = store.create_tenant("o", "k2").await.unwrap().id;
        assert_eq!(
            store
                .start_idempotent(t, "key-1", "POST /x abc")
                .await
                .unwrap(),
            IdempotentStart::Proceed
        );
        assert_eq!(
            store
                .start_idempotent(t, "key-1", "POST /x abc")
                .await
                .unwrap(),
            IdempotentStart::InProgress
        );
        assert_eq!(
            store
                .start_idempotent(other, "key-1", "POST /x abc")
                .await
                .unwrap(),
            IdempotentStart::Proceed,
            "keys are per tenant"
        );
        let answer = StoredResponse {
            status: 201,
            location: Some("/x/1".into()),
            body: b"{}".to_vec(),
        };
        store
            .finish_idempotent(t, "key-1", answer.clone())
            .await
            .unwrap();
        assert_eq!(
            store
                .start_idempotent(t, "key-1", "POST /x abc")
                .await
                .unwrap(),
            IdempotentStart::Replay(answer)
        );
        assert_eq!(
            store
                .start_idempotent(t, "key-1", "POST /x abd")
                .await
                .unwrap(),
            IdempotentStart::Mismatch
        );
        assert_eq!(
            store
                .start_idempotent(t, "key-2", "POST /x abc")
                .await
                .unwrap(),
            IdempotentStart::Proceed
        );
        store.abandon_idempotent(t, "key-2").await.unwrap();
        assert_eq!(
            store
                .start_idempotent(t, "key-2", "POST /x abc")
                .await
                .unwrap(),
            IdempotentStart::Proceed,
            "an abandoned key can be used again"
        );
    }
}
