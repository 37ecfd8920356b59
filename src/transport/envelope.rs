//! The envelope of a GraphQL answer (`data`, `errors`, `message`), its `data` decoded by the
//! caller's [`DataSeed`]: a plain type, or a sink that appends a page's rows into the
//! caller's buffer, so a walk over pages reuses one allocation for its rows.

use std::fmt;
use std::marker::PhantomData;

use serde::de::{DeserializeOwned, DeserializeSeed, IgnoredAny, MapAccess, Visitor};
use serde::{Deserialize, Deserializer};
use serde_json::Value;

/// How an answer's `data` is decoded; called once per attempt, so a retried request decodes
/// its new answer into the same place.
pub(crate) trait DataSeed {
    /// What the `data` becomes.
    type Value;

    /// Decodes a non-null `data`.
    fn decode<'de, D: Deserializer<'de>>(&mut self, data: D) -> Result<Self::Value, D::Error>;
}

/// `data` decoded as a `T`.
impl<T: DeserializeOwned> DataSeed for PhantomData<T> {
    type Value = T;

    fn decode<'de, D: Deserializer<'de>>(&mut self, data: D) -> Result<T, D::Error> {
        T::deserialize(data)
    }
}

/// An answer as the service sends it, `T` being what its `data` was decoded into.
pub(super) struct Envelope<T> {
    pub(super) data: Option<T>,
    pub(super) errors: Option<Vec<GraphQlError>>,
    /// Top-level message of non-GraphQL answers (rate limiting, 401).
    pub(super) message: Option<String>,
}

/// One entry of `errors`.
#[derive(Deserialize)]
pub(super) struct GraphQlError {
    #[serde(default)]
    pub(super) message: Option<String>,
    #[serde(default)]
    extensions: Option<Extensions>,
}

#[derive(Deserialize)]
struct Extensions {
    #[serde(default)]
    code: Option<String>,
    /// `{"status": 422}` on `INTERNAL_SERVER_ERROR`; kept loose, as only a number counts.
    #[serde(default)]
    exception: Option<Value>,
}

impl GraphQlError {
    pub(super) fn code(&self) -> Option<&str> {
        self.extensions.as_ref()?.code.as_deref()
    }

    pub(super) fn exception_status(&self) -> Option<u16> {
        let status = self
            .extensions
            .as_ref()?
            .exception
            .as_ref()?
            .get("status")?;
        u16::try_from(status.as_u64()?).ok()
    }
}

/// Reads an [`Envelope`], its `data` through the seed.
pub(super) struct EnvelopeSeed<'s, S>(pub(super) &'s mut S);

#[derive(Deserialize)]
#[serde(field_identifier, rename_all = "lowercase")]
enum Key {
    Data,
    Errors,
    Message,
    #[serde(other)]
    Other,
}

impl<'de, S: DataSeed> DeserializeSeed<'de> for EnvelopeSeed<'_, S> {
    type Value = Envelope<S::Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_map(self)
    }
}

impl<'de, S: DataSeed> Visitor<'de> for EnvelopeSeed<'_, S> {
    type Value = Envelope<S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a GraphQL answer {data, errors}")
    }

    fn visit_map<A: MapAccess<'de>>(self, mut map: A) -> Result<Self::Value, A::Error> {
        let mut envelope = Envelope {
            data: None,
            errors: None,
            message: None,
        };
        while let Some(key) = map.next_key()? {
            match key {
                Key::Data => envelope.data = map.next_value_seed(Nullable(Data(&mut *self.0)))?,
                Key::Errors => envelope.errors = map.next_value()?,
                Key::Message => envelope.message = map.next_value()?,
                Key::Other => {
                    map.next_value::<IgnoredAny>()?;
                }
            }
        }
        Ok(envelope)
    }
}

/// `data` decoded by a [`DataSeed`], as a serde seed.
struct Data<'s, S>(&'s mut S);

impl<'de, S: DataSeed> DeserializeSeed<'de> for Data<'_, S> {
    type Value = S::Value;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<S::Value, D::Error> {
        self.0.decode(d)
    }
}

/// A value that may be `null` (`None`), else decoded by the seed: `data`, which is `null` when
/// the whole operation failed; an import's page, `null` when nothing was recorded; a failed
/// row's `spec`.
pub(crate) struct Nullable<S>(pub(crate) S);

impl<'de, S: DeserializeSeed<'de>> DeserializeSeed<'de> for Nullable<S> {
    type Value = Option<S::Value>;

    fn deserialize<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        d.deserialize_option(self)
    }
}

impl<'de, S: DeserializeSeed<'de>> Visitor<'de> for Nullable<S> {
    type Value = Option<S::Value>;

    fn expecting(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str("a value or null")
    }

    fn visit_none<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_unit<E: serde::de::Error>(self) -> Result<Self::Value, E> {
        Ok(None)
    }

    fn visit_some<D: Deserializer<'de>>(self, d: D) -> Result<Self::Value, D::Error> {
        self.0.deserialize(d).map(Some)
    }
}
