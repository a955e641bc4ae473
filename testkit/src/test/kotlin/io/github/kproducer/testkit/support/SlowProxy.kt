package io.github.kproducer.testkit.support

import java.io.InputStream
import java.io.OutputStream
import java.net.InetAddress
import java.net.ServerSocket
import java.net.Socket
import java.util.concurrent.CopyOnWriteArrayList
import java.util.concurrent.Executors
import kotlin.time.Duration

/**
 * A TCP proxy in front of one `host:port` that holds every new connection for [connectDelay] before
 * it forwards a byte, or never forwards when [connectDelay] is null (a black hole: connections are
 * accepted and then nothing answers). For tests of waits that must survive a slow or silent network.
 */
class SlowProxy(
    target: String,
    private val connectDelay: Duration?,
) : AutoCloseable {
    private val host = target.substringBeforeLast(':')
    private val port = target.substringAfterLast(':').toInt()
    private val server = ServerSocket(0, 50, InetAddress.getLoopbackAddress())
    private val sockets = CopyOnWriteArrayList<Socket>()
    private val threads = Executors.newCachedThreadPool { Thread(it, "slow-proxy").apply { isDaemon = true } }

    /** The proxy's `host:port`, to use as `bootstrap.servers`. */
    val address: String = "127.0.0.1:${server.localPort}"

    init {
        threads.execute {
            while (!server.isClosed) {
                val client = runCatching { server.accept() }.getOrNull() ?: break
                sockets += client
                threads.execute { serve(client) }
            }
        }
    }

    private fun serve(client: Socket) {
        val delay = connectDelay ?: return
        runCatching {
            Thread.sleep(delay.inWholeMilliseconds)
            val upstream = Socket(host, port).also { sockets += it }
            threads.execute { pipe(client.getInputStream(), upstream.getOutputStream(), client, upstream) }
            pipe(upstream.getInputStream(), client.getOutputStream(), client, upstream)
        }
        runCatching { client.close() }
    }

    private fun pipe(
        from: InputStream,
        to: OutputStream,
        vararg ends: Socket,
    ) {
        runCatching { from.transferTo(to) }
        ends.forEach { runCatching { it.close() } }
    }

    override fun close() {
        runCatching { server.close() }
        sockets.forEach { runCatching { it.close() } }
        threads.shutdownNow()
    }
}
