//! The agent's name resolver and connector, wrapped so that a failure before the connection
//! was established is known for what it is: the request was never sent.
//!
//! ureq reports a DNS failure as a plain I/O error (of no particular kind) and cannot say in
//! which phase an I/O error happened; only its resolver and connector know. Wrapping them is
//! exact where guessing from error kinds is not: anything failing in them (resolving, TCP
//! connect, proxy, TLS handshake) failed before a byte of the request was written.
//! (These ureq traits are marked "unversioned"; they have not changed since ureq 3.0.)

use std::fmt;

use ureq::config::Config;
use ureq::http::Uri;
use ureq::unversioned::resolver::{DefaultResolver, ResolvedSocketAddrs, Resolver};
use ureq::unversioned::transport::{
    ConnectionDetails, Connector, DefaultConnector, NextTimeout, Transport,
};

/// A ureq failure that happened before anything was sent.
#[derive(Debug)]
pub(super) struct NotSent(pub(super) ureq::Error);

impl fmt::Display for NotSent {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "before sending: {}", self.0)
    }
}

impl std::error::Error for NotSent {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        Some(&self.0)
    }
}

fn not_sent(e: ureq::Error) -> ureq::Error {
    ureq::Error::Other(Box::new(NotSent(e)))
}

/// An agent whose resolve and connect failures come back as `ureq::Error::Other(NotSent)`.
pub(super) fn agent(config: Config) -> ureq::Agent {
    ureq::Agent::with_parts(
        config,
        TaggingConnector(DefaultConnector::new()),
        TaggingResolver(DefaultResolver::default()),
    )
}

#[derive(Debug)]
struct TaggingResolver(DefaultResolver);

impl Resolver for TaggingResolver {
    fn resolve(
        &self,
        uri: &Uri,
        config: &Config,
        timeout: NextTimeout,
    ) -> Result<ResolvedSocketAddrs, ureq::Error> {
        self.0.resolve(uri, config, timeout).map_err(not_sent)
    }
}

#[derive(Debug)]
struct TaggingConnector(DefaultConnector);

impl Connector for TaggingConnector {
    type Out = Box<dyn Transport>;

    fn connect(
        &self,
        details: &ConnectionDetails,
        chained: Option<()>,
    ) -> Result<Option<Self::Out>, ureq::Error> {
        match self.0.connect(details, chained) {
            Ok(Some(transport)) => Ok(Some(transport)),
            // ureq turns "no transport" into ConnectionFailed outside the connector.
            Ok(None) => Err(not_sent(ureq::Error::ConnectionFailed)),
            Err(e) => Err(not_sent(e)),
        }
    }
}
