//! The server's plumbing: a tokio runtime owned by the emulator, the accept loop with its bound
//! on open connections, one hyper HTTP/1.1 connection per socket, and shutdown.
//!
//! Why not a thread per connection: idle sockets would cost a thread each. Here an idle
//! connection is a parked task; past `Limits::max_connections` new connections wait in the
//! listen backlog until one closes, and a connection that sends no complete request head for
//! `Limits::idle_timeout` is closed, so the backlog always drains.

use std::net::TcpListener as StdListener;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{mpsc, Arc, Mutex};
use std::time::Duration;

use hyper::server::conn::http1;
use hyper::service::service_fn;
use hyper_util::rt::{TokioIo, TokioTimer};
use tokio::net::{TcpListener, TcpStream};
use tokio::runtime::Runtime;
use tokio::sync::{watch, OwnedSemaphorePermit, Semaphore};

use super::{handle, Service};

/// How long shutdown lets requests in flight finish their answer before cutting them.
const SHUTDOWN_GRACE: Duration = Duration::from_secs(2);
/// Pause after a failed `accept` (e.g. out of file descriptors) before trying again.
const ACCEPT_BACKOFF: Duration = Duration::from_millis(50);

/// The running server: its runtime and the switch that stops it.
pub(crate) struct Server {
    runtime: Option<Runtime>,
    stop: watch::Sender<bool>,
    /// Receives once the accept loop has closed the listener and the connections have ended.
    /// (In a mutex: the handle is shared across threads, the receiver is not `Sync`.)
    stopped: Mutex<mpsc::Receiver<()>>,
}

impl Server {
    /// Serves `listener` on a runtime of `workers` threads.
    pub(crate) fn start(
        listener: StdListener,
        service: Arc<Service>,
        workers: usize,
    ) -> std::io::Result<Self> {
        let runtime = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(workers.max(1))
            .thread_name("emulator-http")
            .enable_io()
            .enable_time()
            .build()?;
        listener.set_nonblocking(true)?;
        let listener = {
            let _entered = runtime.enter();
            TcpListener::from_std(listener)?
        };
        let (stop, stop_rx) = watch::channel(false);
        let (stopped_tx, stopped) = mpsc::channel();
        runtime.spawn(async move {
            accept_loop(listener, service, stop_rx).await;
            let _ = stopped_tx.send(());
        });
        Ok(Server {
            runtime: Some(runtime),
            stop,
            stopped: Mutex::new(stopped),
        })
    }

    /// Closes the listener, lets answers in flight finish (at most [`SHUTDOWN_GRACE`]), closes
    /// every connection and ends the runtime's threads. Never waits on a stalled client.
    pub(crate) fn stop(&mut self) {
        let Some(runtime) = self.runtime.take() else {
            return;
        };
        let _ = self.stop.send(true);
        let stopped = self.stopped.lock().unwrap_or_else(|e| e.into_inner());
        let _ = stopped.recv_timeout(SHUTDOWN_GRACE + Duration::from_secs(1));
        if tokio::runtime::Handle::try_current().is_ok() {
            // Dropped inside someone else's runtime, where blocking is not allowed.
            runtime.shutdown_background();
        } else {
            runtime.shutdown_timeout(Duration::from_secs(1));
        }
    }
}

/// Accepts connections while fewer than `max_connections` are open; on stop, closes the
/// listener and waits (up to the grace) for the connections to end.
async fn accept_loop(
    listener: TcpListener,
    service: Arc<Service>,
    mut stop: watch::Receiver<bool>,
) {
    let max = service.limits.max_connections;
    let slots = Arc::new(Semaphore::new(max));
    loop {
        // Past the limit, new connections wait in the listen backlog until one closes.
        let slot = tokio::select! {
            slot = Arc::clone(&slots).acquire_owned() => slot,
            _ = stop.changed() => break,
        };
        let Ok(slot) = slot else { break };
        let accepted = tokio::select! {
            accepted = accept(&listener) => accepted,
            _ = stop.changed() => break,
        };
        match accepted {
            Ok(stream) => {
                let connection = serve_connection(stream, Arc::clone(&service), stop.clone(), slot);
                tokio::spawn(connection);
            }
            Err(_) => tokio::time::sleep(ACCEPT_BACKOFF).await,
        }
    }
    drop(listener);
    let all = u32::try_from(max).unwrap_or(u32::MAX);
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, slots.acquire_many(all)).await;
}

/// The next connection, ready to serve.
async fn accept(listener: &TcpListener) -> std::io::Result<TcpStream> {
    let (stream, _) = listener.accept().await?;
    // hyper writes an answer's head and body together where they fit; without TCP_NODELAY
    // Nagle's algorithm would still hold the last segment of a mid-size answer until the
    // client's delayed ACK (about 40 ms on Linux) on a kept-alive connection.
    // (Should it fail, the connection is still served, only slower.)
    let _ = stream.set_nodelay(true);
    Ok(stream)
}

/// One HTTP/1.1 connection (keep-alive, pipelining) until the client leaves, it idles past
/// the limit, or the server stops. `_slot` frees its place in the connection bound on return.
async fn serve_connection(
    stream: TcpStream,
    service: Arc<Service>,
    mut stop: watch::Receiver<bool>,
    _slot: OwnedSemaphorePermit,
) {
    let idle_timeout = service.limits.idle_timeout;
    let in_flight = Arc::new(AtomicUsize::new(0));
    let handler = {
        let (in_flight, stop) = (Arc::clone(&in_flight), stop.clone());
        service_fn(move |request| {
            let (service, stop) = (Arc::clone(&service), stop.clone());
            let guard = InFlight::enter(&in_flight);
            async move {
                let answer = handle(&service, request, stop).await;
                drop(guard);
                answer
            }
        })
    };
    let connection = http1::Builder::new()
        .timer(TokioTimer::new())
        .header_read_timeout(idle_timeout)
        .serve_connection(TokioIo::new(stream), handler);
    tokio::pin!(connection);
    tokio::select! {
        _ = connection.as_mut() => return,
        _ = stop.changed() => {}
    }
    if in_flight.load(Ordering::SeqCst) == 0 {
        return; // Nothing owed to this client: dropping the connection closes the socket.
    }
    connection.as_mut().graceful_shutdown();
    let _ = tokio::time::timeout(SHUTDOWN_GRACE, connection).await;
}

/// Counts a request being handled on its connection, until dropped.
struct InFlight(Arc<AtomicUsize>);

impl InFlight {
    fn enter(count: &Arc<AtomicUsize>) -> Self {
        count.fetch_add(1, Ordering::SeqCst);
        InFlight(Arc::clone(count))
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.fetch_sub(1, Ordering::SeqCst);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Issue 10: answers on a kept-alive connection waited ~40 ms for a delayed ACK, as the
    /// server never set `TCP_NODELAY` (the wall it cost is measured in `examples/bench.rs`).
    #[test]
    fn accepted_connections_have_nagle_off() {
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_io()
            .build()
            .unwrap_or_else(|e| panic!("runtime: {e}"));
        runtime.block_on(async {
            let listener = TcpListener::bind("127.0.0.1:0")
                .await
                .unwrap_or_else(|e| panic!("bind: {e}"));
            let address = listener.local_addr().unwrap_or_else(|e| panic!("{e}"));
            let _client = std::net::TcpStream::connect(address);
            let stream = accept(&listener)
                .await
                .unwrap_or_else(|e| panic!("accept: {e}"));
            assert_eq!(stream.nodelay().ok(), Some(true));
        });
    }
}
