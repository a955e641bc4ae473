package io.github.kproducer.testkit.internal.faults

import org.apache.kafka.common.Uuid
import org.apache.kafka.common.message.ApiVersionsResponseData
import org.apache.kafka.common.message.ListOffsetsResponseData
import org.apache.kafka.common.message.MetadataResponseData
import org.apache.kafka.common.message.ProduceRequestData
import org.apache.kafka.common.message.ProduceResponseData
import org.apache.kafka.common.protocol.ApiKeys
import org.apache.kafka.common.protocol.ApiMessage
import org.apache.kafka.common.protocol.ByteBufferAccessor
import org.apache.kafka.common.protocol.Errors
import org.apache.kafka.common.requests.AbstractResponse
import org.apache.kafka.common.requests.ListOffsetsResponse
import org.apache.kafka.common.requests.MetadataResponse
import org.apache.kafka.common.requests.ProduceRequest
import org.apache.kafka.common.requests.RequestHeader
import org.apache.kafka.common.requests.RequestUtils
import org.apache.kafka.common.requests.ResponseHeader
import java.nio.ByteBuffer

/** A change to one parsed answer; true when it changed something (an unchanged answer is relayed as the broker sent it). */
internal typealias AnswerEdit = (AbstractResponse) -> Boolean

/**
 * One `apiVersions { }` range: ApiVersions answers of [brokerId] (null: every broker) advertise [min]
 * (null: the broker's own) to [max] for [apiKey].
 */
internal class VersionRange(
    val brokerId: Int?,
    val apiKey: ApiKeys,
    val min: Short?,
    val max: Short,
)

/**
 * Kafka frames as the proxy rewrites them: requests and answers are parsed and written back with
 * Kafka's own message classes, at the version of the request, so that what the client reads is what a
 * broker of that version would have sent.
 */
internal object Answers {
    /**
     * A `Produce` request without one partition: what goes on to the broker ([forward], null when nothing
     * is left) and the failed partition's answer ([failed], null for `acks=0`, which expects none).
     */
    class ProduceSplit(
        val forward: ProduceRequestData?,
        val failed: ProduceResponseData?,
    )

    /** A frame ([ByteArray] with its 4-byte size) holding [serialized]. */
    fun frame(serialized: ByteBuffer): ByteArray {
        val bytes = ByteArray(4 + serialized.remaining())
        ByteBuffer.wrap(bytes).putInt(serialized.remaining()).put(serialized)
        return bytes
    }

    /** The answer frame to the request of [header] carrying [data], with the request's correlation id. */
    fun answer(
        header: RequestHeader,
        data: ApiMessage,
    ): ByteArray {
        val responseHeader = header.toResponseHeader()
        return frame(RequestUtils.serialize(responseHeader.data(), responseHeader.headerVersion(), data, header.apiVersion()))
    }

    /** The request frame of [header] carrying [data] instead of its own body. */
    fun request(
        header: RequestHeader,
        data: ApiMessage,
    ): ByteArray = frame(RequestUtils.serialize(header.data(), header.headerVersion(), data, header.apiVersion()))

    /**
     * [frame], an answer to the request of [header], after [edits]; [frame] itself when no edit changed
     * anything. Parsed and written at the request's version and answer header version.
     */
    fun edit(
        frame: ByteArray,
        header: RequestHeader,
        edits: List<AnswerEdit>,
    ): ByteArray {
        val buffer = ByteBuffer.wrap(frame, 4, frame.size - 4).slice()
        val headerVersion = header.apiKey().responseHeaderVersion(header.apiVersion())
        val responseHeader = ResponseHeader.parse(buffer, headerVersion)
        val response = AbstractResponse.parseResponse(header.apiKey(), ByteBufferAccessor(buffer), header.apiVersion())
        var changed = false
        for (edit in edits) changed = edit(response) or changed
        if (!changed) return frame
        return frame(RequestUtils.serialize(responseHeader.data(), headerVersion, response.data(), header.apiVersion()))
    }

    /**
     * Splits partition [partition] of [topic] (by name, or by [topicId] in requests that name topics by
     * id) off [request]: the rest goes on, and the split-off partition is answered with [error] the way
     * the broker answers a request-level failure (Kafka's `ProduceRequest.getErrorResponse`: base offset -1,
     * no log append time, log start offset -1). Null when the request does not hold that partition.
     */
    fun splitProduce(
        request: ProduceRequest,
        version: Short,
        topic: String,
        topicId: Uuid?,
        partition: Int,
        error: Errors,
    ): ProduceSplit? {
        val data = request.data()
        val kept = ProduceRequestData.TopicProduceDataCollection()
        val failed = ProduceRequestData.TopicProduceDataCollection()
        for (topicData in data.topicData()) {
            val named = topicData.name() == topic || (topicId != null && topicData.topicId() == topicId)
            val (off, on) = topicData.partitionData().partition { named && it.index() == partition }
            if (on.isNotEmpty()) {
                kept.add(
                    ProduceRequestData
                        .TopicProduceData()
                        .setName(topicData.name())
                        .setTopicId(topicData.topicId())
                        .setPartitionData(on),
                )
            }
            if (off.isNotEmpty()) {
                failed.add(
                    ProduceRequestData
                        .TopicProduceData()
                        .setName(topicData.name())
                        .setTopicId(topicData.topicId())
                        .setPartitionData(off),
                )
            }
        }
        if (failed.isEmpty()) return null

        fun like(topics: ProduceRequestData.TopicProduceDataCollection) =
            ProduceRequestData()
                .setAcks(data.acks())
                .setTimeoutMs(data.timeoutMs())
                .setTransactionalId(data.transactionalId())
                .setTopicData(topics)
        val answer = ProduceRequest(like(failed), version).getErrorResponse(0, error.exception())?.data()
        return ProduceSplit(if (kept.isEmpty()) null else like(kept), answer)
    }

    /** Adds the partition answers of [failed] to a `Produce` answer. */
    fun addProduceAnswers(failed: ProduceResponseData): AnswerEdit =
        { response ->
            val responses = (response.data() as ProduceResponseData).responses()
            for (topic in failed.responses()) {
                val existing = responses.find(topic.name(), topic.topicId())
                val copies = topic.partitionResponses().map { it.duplicate() }
                if (existing != null) {
                    existing.partitionResponses().addAll(copies)
                } else {
                    responses.add(
                        ProduceResponseData
                            .TopicProduceResponse()
                            .setName(topic.name())
                            .setTopicId(topic.topicId())
                            .setPartitionResponses(copies),
                    )
                }
            }
            true
        }

    /**
     * Reports partition [partition] of [topic] in a `Metadata` answer with [error] and, unless the error
     * is `REPLICA_NOT_AVAILABLE` (which a broker reports with the leader), without a leader (-1), as a
     * broker reports a partition whose leader it cannot give. An answer without that partition is left alone.
     */
    fun failMetadataPartition(
        topic: String,
        partition: Int,
        error: Errors,
    ): AnswerEdit =
        { response ->
            val target =
                (response.data() as MetadataResponseData)
                    .topics()
                    .find(topic)
                    ?.partitions()
                    ?.firstOrNull { it.partitionIndex() == partition }
            if (target != null) {
                target.setErrorCode(error.code())
                if (error != Errors.REPLICA_NOT_AVAILABLE) target.setLeaderId(MetadataResponse.NO_LEADER_ID)
            }
            target != null
        }

    /**
     * Answers partition [partition] of [topic] in a `ListOffsets` answer with [error] and no offset, as
     * Kafka's `ListOffsetsRequest.getErrorResponse` does (offset and timestamp -1, no leader epoch). An
     * answer without that partition is left alone.
     */
    fun failListOffsetsPartition(
        topic: String,
        partition: Int,
        error: Errors,
    ): AnswerEdit =
        { response ->
            val target =
                (response.data() as ListOffsetsResponseData)
                    .topics()
                    .firstOrNull { it.name() == topic }
                    ?.partitions()
                    ?.firstOrNull { it.partitionIndex() == partition }
            target
                ?.setErrorCode(error.code())
                ?.setOffset(ListOffsetsResponse.UNKNOWN_OFFSET)
                ?.setTimestamp(ListOffsetsResponse.UNKNOWN_TIMESTAMP)
                ?.setLeaderEpoch(ListOffsetsResponse.UNKNOWN_EPOCH)
            target != null
        }

    /** Sets an answer's `throttle_time_ms` to [ms] (answers without one are left alone). */
    fun throttle(ms: Int): AnswerEdit =
        { response ->
            val before = response.throttleTimeMs()
            response.maybeSetThrottleTimeMs(ms)
            response.throttleTimeMs() != before
        }

    /** Advertises each of [ranges] in an `ApiVersions` answer (an answer with an error, or without the API, is left alone). */
    fun narrowVersions(ranges: List<VersionRange>): AnswerEdit =
        { response ->
            val data = response.data() as ApiVersionsResponseData
            var changed = false
            if (data.errorCode() == Errors.NONE.code()) {
                for (range in ranges) {
                    val api = data.apiKeys().find(range.apiKey.id) ?: continue
                    if (range.min != null) api.setMinVersion(range.min)
                    api.setMaxVersion(range.max)
                    changed = true
                }
            }
            changed
        }
}
