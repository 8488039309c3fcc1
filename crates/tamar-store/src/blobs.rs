//! Files (attachments, exports, open-data files) behind `object_store`: a local folder on one
//! machine, S3-compatible storage when several nodes share them.

use std::path::PathBuf;
use std::sync::Arc;

use futures::StreamExt;
use object_store::path::Path;
use object_store::{ObjectStore, PutMode, PutOptions, PutPayload};
use serde::Deserialize;

use crate::StoreError;

/// Where blobs live. The S3 secret comes from configuration and is never printed.
#[derive(Clone, Deserialize)]
#[serde(tag = "kind", rename_all = "lowercase", deny_unknown_fields)]
pub enum BlobConfig {
    /// A folder on local disk; relative paths are taken inside the data folder.
    Local { path: PathBuf },
    /// An S3-compatible bucket.
    S3 {
        bucket: String,
        #[serde(default)]
        endpoint: Option<String>,
        #[serde(default = "default_region")]
        region: String,
        access_key_id: String,
        secret_access_key: String,
        #[serde(default)]
        allow_http: bool,
    },
}

fn default_region() -> String {
    "us-east-1".to_owned()
}

impl std::fmt::Debug for BlobConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match self {
            BlobConfig::Local { path } => f.debug_struct("Local").field("path", path).finish(),
            BlobConfig::S3 { bucket, endpoint, region, access_key_id, allow_http, .. } => f
                .debug_struct("S3")
                .field("bucket", bucket)
                .field("endpoint", endpoint)
                .field("region", region)
                .field("access_key_id", access_key_id)
                .field("secret_access_key", &"[redacted]")
                .field("allow_http", allow_http)
                .finish(),
        }
    }
}

#[derive(Clone, Debug)]
pub struct Blobs {
    store: Arc<dyn ObjectStore>,
}

impl Blobs {
    pub fn open(config: &BlobConfig) -> Result<Blobs, StoreError> {
        let store: Arc<dyn ObjectStore> = match config {
            BlobConfig::Local { path } => {
                crate::private::private_dir(path)
                    .map_err(|e| StoreError::Blob(object_store::Error::Generic { store: "local", source: Box::new(e) }))?;
                Arc::new(object_store::local::LocalFileSystem::new_with_prefix(path)?)
            }
            BlobConfig::S3 { bucket, endpoint, region, access_key_id, secret_access_key, allow_http } => {
                let mut builder = object_store::aws::AmazonS3Builder::new()
                    .with_bucket_name(bucket)
                    .with_region(region)
                    .with_access_key_id(access_key_id)
                    .with_secret_access_key(secret_access_key)
                    .with_allow_http(*allow_http)
                    // A bucket with object lock refuses puts without a checksum.
                    .with_checksum_algorithm(object_store::aws::Checksum::SHA256);
                if let Some(endpoint) = endpoint {
                    builder = builder.with_endpoint(endpoint);
                }
                Arc::new(builder.build()?)
            }
        };
        Ok(Blobs { store })
    }

    pub async fn put(&self, key: &str, bytes: Vec<u8>) -> Result<(), StoreError> {
        self.store.put(&Path::from(key), PutPayload::from(bytes)).await?;
        Ok(())
    }

    /// Creates `key` unless it exists, and never overwrites it (S3: `If-None-Match: *`).
    /// Returns `false` when the key was already there.
    pub async fn put_new(&self, key: &str, bytes: Vec<u8>) -> Result<bool, StoreError> {
        let options = PutOptions { mode: PutMode::Create, ..PutOptions::default() };
        match self.store.put_opts(&Path::from(key), PutPayload::from(bytes), options).await {
            Ok(_) => Ok(true),
            Err(object_store::Error::AlreadyExists { .. }) => Ok(false),
            Err(e) => Err(e.into()),
        }
    }

    /// Some key under `prefix` that sorts after `after` (on S3 the first such), or `None`.
    pub async fn key_after(&self, prefix: &str, after: &str) -> Result<Option<String>, StoreError> {
        let prefix = Path::from(prefix);
        let mut listing = self.store.list_with_offset(Some(&prefix), &Path::from(after));
        match listing.next().await {
            Some(found) => Ok(Some(found?.location.to_string())),
            None => Ok(None),
        }
    }

    pub async fn get(&self, key: &str) -> Result<Vec<u8>, StoreError> {
        match self.store.get(&Path::from(key)).await {
            Ok(found) => Ok(found.bytes().await?.to_vec()),
            Err(object_store::Error::NotFound { .. }) => Err(StoreError::BlobNotFound(key.to_owned())),
            Err(e) => Err(e.into()),
        }
    }

    pub async fn delete(&self, key: &str) -> Result<(), StoreError> {
        self.store.delete(&Path::from(key)).await?;
        Ok(())
    }
}
