package io.github.kproducer.testkit.internal

import io.github.kproducer.testkit.EmbeddedKafkaStartupException
import org.apache.kafka.common.KafkaException
import org.apache.kafka.network.SocketServerConfigs
import org.apache.kafka.server.ServerSocketFactory
import java.io.IOException
import java.net.BindException
import java.net.InetSocketAddress
import java.net.SocketException
import java.nio.channels.ServerSocketChannel

/**
 * The listener sockets of one node (broker and controller, plus a SASL client listener when the
 * cluster authenticates clients), bound as soon as the cluster is planned.
 *
 * Picking a "free" port and binding it later races with every other process (and every other
 * embedded cluster in this JVM). Binding first and handing the bound channel to the broker when
 * it opens its listener closes that window. After a restart the node binds the same port numbers
 * again, so clients that knew the old address reconnect.
 */
internal class NodePorts private constructor(
    val host: String,
    prebound: Map<String, ServerSocketChannel>,
    /** The fault proxy's listening socket (blocking), when the cluster runs one; clients connect to it. */
    val proxySocket: ServerSocketChannel? = null,
    /**
     * The fault proxy's listening sockets (blocking) in front of the inter-broker and controller
     * listeners, by listener name, when the cluster runs the proxy: the other nodes connect to them.
     */
    val linkProxySockets: Map<String, ServerSocketChannel> = emptyMap(),
) : ServerSocketFactory {
    private val unclaimed = HashMap(prebound)

    /** The port of each listener, by listener name, in the order they were bound (client first when there is one). */
    val listeners: Map<String, Int> = prebound.mapValues { (_, channel) -> channel.socket().localPort }

    val brokerPort: Int get() = listeners.getValue(KraftNode.BROKER_LISTENER)

    val controllerPort: Int get() = listeners.getValue(KraftNode.CONTROLLER_LISTENER)

    /** The port clients connect to: the SASL listener's when there is one, else [brokerPort]. */
    val clientPort: Int get() = listeners[KraftNode.CLIENT_LISTENER] ?: brokerPort

    /** The port clients are told about and connect to: the fault proxy's when there is one, else [clientPort]. */
    val advertisedClientPort: Int get() = proxySocket?.socket()?.localPort ?: clientPort

    /** The port a listener advertises (and, for the controller listener, the port voters are known by): the proxy's when proxied. */
    fun advertisedPort(listener: String): Int =
        when {
            listener == KraftNode.CLIENT_LISTENER && proxySocket != null -> advertisedClientPort
            listener in linkProxySockets -> linkProxySockets.getValue(listener).socket().localPort
            else -> listeners.getValue(listener)
        }

    override fun openServerSocket(
        listenerName: String,
        socketAddress: InetSocketAddress,
        listenBacklogSize: Int,
        recvBufferSize: Int,
    ): ServerSocketChannel {
        synchronized(unclaimed) { unclaimed.remove(listenerName.uppercase()) }?.let { return it }
        return try {
            bind(socketAddress, listenBacklogSize, recvBufferSize)
        } catch (e: SocketException) {
            throw KafkaException(
                "Socket server failed to bind to ${socketAddress.hostString}:${socketAddress.port}: ${e.message}.",
                e,
            )
        }
    }

    /** Releases sockets that no server claimed (a node that never started). */
    fun releaseUnclaimed() {
        synchronized(unclaimed) {
            unclaimed.values.forEach { runCatching { it.close() } }
            unclaimed.clear()
        }
        runCatching { proxySocket?.close() }
        linkProxySockets.values.forEach { runCatching { it.close() } }
    }

    companion object {
        /**
         * Binds the listeners of one node on [host]: broker and controller, and a SASL client
         * listener when [sasl]. [clientPort] is the port clients use (the SASL listener's, else the
         * broker's); 0 picks a free port. Throws [EmbeddedKafkaStartupException] naming the port when
         * it is taken.
         */
        fun bind(
            host: String,
            clientPort: Int,
            sasl: Boolean,
            proxied: Boolean = false,
        ): NodePorts {
            val bound = LinkedHashMap<String, ServerSocketChannel>()
            var proxy: ServerSocketChannel? = null
            val links = LinkedHashMap<String, ServerSocketChannel>()
            try {
                if (proxied) {
                    proxy = bindOrExplain(host, clientPort, "fault proxy").also { it.configureBlocking(true) }
                    bound[KraftNode.CLIENT_LISTENER] = bindOrExplain(host, 0, "client")
                    bound[KraftNode.BROKER_LISTENER] = bindOrExplain(host, 0, "broker")
                } else if (sasl) {
                    bound[KraftNode.CLIENT_LISTENER] = bindOrExplain(host, clientPort, "client")
                    bound[KraftNode.BROKER_LISTENER] = bindOrExplain(host, 0, "broker")
                } else {
                    bound[KraftNode.BROKER_LISTENER] = bindOrExplain(host, clientPort, "broker")
                }
                bound[KraftNode.CONTROLLER_LISTENER] = bindOrExplain(host, 0, "controller")
                if (proxied) {
                    for (listener in listOf(KraftNode.BROKER_LISTENER, KraftNode.CONTROLLER_LISTENER)) {
                        links[listener] = bindOrExplain(host, 0, "fault proxy of the ${listener.lowercase()}").also { it.configureBlocking(true) }
                    }
                }
            } catch (e: EmbeddedKafkaStartupException) {
                bound.values.forEach { runCatching { it.close() } }
                links.values.forEach { runCatching { it.close() } }
                runCatching { proxy?.close() }
                throw e
            }
            return NodePorts(host, bound, proxy, links)
        }

        private fun bindOrExplain(
            host: String,
            port: Int,
            role: String,
        ): ServerSocketChannel =
            try {
                bind(
                    InetSocketAddress(host, port),
                    SocketServerConfigs.SOCKET_LISTEN_BACKLOG_SIZE_DEFAULT,
                    SocketServerConfigs.SOCKET_RECEIVE_BUFFER_BYTES_DEFAULT,
                )
            } catch (e: BindException) {
                throw EmbeddedKafkaStartupException(
                    "Cannot listen on $host:$port for the $role listener: the port is already in use (${e.message}). " +
                        "Stop whatever holds it, choose another port, or leave `ports` empty so free ports are picked.",
                    e,
                )
            } catch (e: IOException) {
                throw EmbeddedKafkaStartupException("Cannot listen on $host:$port for the $role listener: ${e.message}", e)
            }

        private fun bind(
            address: InetSocketAddress,
            backlog: Int,
            recvBufferSize: Int,
        ): ServerSocketChannel {
            val channel = ServerSocketChannel.open()
            try {
                channel.configureBlocking(false)
                channel.socket().reuseAddress = true
                if (recvBufferSize != -1) channel.socket().receiveBufferSize = recvBufferSize
                channel.socket().bind(address, backlog)
                return channel
            } catch (e: IOException) {
                channel.close()
                throw e
            }
        }
    }
}
