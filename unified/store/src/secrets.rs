//! Credentials at rest: ChaCha20-Poly1305 with a random nonce per value.
//!
//! The key lives outside the database (a key file beside it, or supplied by the operator), so a
//! copied database file alone does not give away anyone's ERP password.

use crate::StoreError;
use chacha20poly1305::aead::{Aead, Generate, KeyInit};
use chacha20poly1305::{ChaCha20Poly1305, Key, Nonce};
use std::path::Path;

const NONCE_LEN: usize = 12;

pub struct Cipher(ChaCha20Poly1305);

impl Cipher {
    pub fn new(key: &[u8; 32]) -> Cipher {
        Cipher(ChaCha20Poly1305::new(&Key::from(*key)))
    }

    /// Reads the key file, creating it with a fresh random key when it does not exist.
    pub fn from_key_file(path: &Path) -> Result<Cipher, StoreError> {
        let io = |source| StoreError::Io {
            path: path.display().to_string(),
            source,
        };
        match std::fs::read(path) {
            Ok(bytes) => {
                let key: [u8; 32] = bytes.try_into().map_err(|_| StoreError::BadKey {
                    path: path.display().to_string(),
                })?;
                Ok(Cipher::new(&key))
            }
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => {
                let key: [u8; 32] = Key::generate().into();
                write_private(path, &key).map_err(io)?;
                Ok(Cipher::new(&key))
            }
            Err(e) => Err(io(e)),
        }
    }

    /// `nonce || ciphertext`.
    pub fn seal(&self, plaintext: &[u8]) -> Vec<u8> {
        let nonce = Nonce::generate();
        let mut out = nonce.to_vec();
        // Encryption only fails for messages beyond ChaCha20's 256 GiB limit.
        match self.0.encrypt(&nonce, plaintext) {
            Ok(ct) => out.extend_from_slice(&ct),
            Err(_) => unreachable!("credentials are far below the ChaCha20 message limit"),
        }
        out
    }

    pub fn open(&self, sealed: &[u8]) -> Result<Vec<u8>, StoreError> {
        if sealed.len() < NONCE_LEN {
            return Err(StoreError::Decrypt);
        }
        let (nonce, ct) = sealed.split_at(NONCE_LEN);
        let nonce = Nonce::try_from(nonce).map_err(|_| StoreError::Decrypt)?;
        self.0.decrypt(&nonce, ct).map_err(|_| StoreError::Decrypt)
    }
}

#[cfg(unix)]
fn write_private(path: &Path, key: &[u8]) -> std::io::Result<()> {
    use std::io::Write;
    use std::os::unix::fs::OpenOptionsExt;
    let mut f = std::fs::OpenOptions::new()
        .write(true)
        .create_new(true)
        .mode(0o600)
        .open(path)?;
    f.write_all(key)
}

#[cfg(not(unix))]
fn write_private(path: &Path, key: &[u8]) -> std::io::Result<()> {
    std::fs::write(path, key)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seal_then_open_round_trips_and_tampering_is_caught() {
        let c = Cipher::new(&[1; 32]);
        let sealed = c.seal(b"s3cret");
        assert!(!sealed.windows(6).any(|w| w == b"s3cret"));
        assert_eq!(c.open(&sealed).unwrap(), b"s3cret");
        let mut bad = sealed.clone();
        let last = bad.len() - 1;
        bad[last] ^= 1;
        assert!(matches!(c.open(&bad), Err(StoreError::Decrypt)));
        assert!(matches!(
            Cipher::new(&[2; 32]).open(&sealed),
            Err(StoreError::Decrypt)
        ));
        assert!(matches!(c.open(&[0; 3]), Err(StoreError::Decrypt)));
    }
}
