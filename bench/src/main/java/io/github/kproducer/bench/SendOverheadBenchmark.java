package io.github.kproducer.bench;

import io.github.kproducer.dsl.KProducer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.kafka.clients.producer.Callback;
import org.apache.kafka.clients.producer.ProducerRecord;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OperationsPerInvocation;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.infra.Blackhole;

/**
 * CPU cost of one send through kproducer against one {@code Producer.send} with a callback, both on a
 * producer with no network ({@link InlineProducer}): the difference is what the DSL adds per record.
 */
@State(Scope.Thread)
@BenchmarkMode(Mode.AverageTime)
@OutputTimeUnit(TimeUnit.NANOSECONDS)
public class SendOverheadBenchmark {

    private static final Callback CALLBACK = (metadata, exception) -> { };
    private static final int BATCH = 1000;

    private InlineProducer raw;
    private KProducer<byte[], byte[]> dsl;
    private ProducerRecord<byte[], byte[]> record;
    private DirectSend direct;
    private BareSend bare;
    private DirectBatch batch;
    private List<ProducerRecord<byte[], byte[]>> records;

    @Setup
    public void setUp() {
        raw = new InlineProducer();
        dsl = KProducer.wrap(new InlineProducer());
        record = new ProducerRecord<>("bench", null, new byte[100]);
        direct = new DirectSend(dsl, record, BATCH);
        bare = new BareSend(new InlineProducer(), record, BATCH);
        records = new ArrayList<>();
        for (int i = 0; i < BATCH; i++) {
            records.add(new ProducerRecord<>("bench", null, new byte[100]));
        }
        batch = new DirectBatch(dsl, records);
    }

    @TearDown
    public void tearDown() {
        dsl.close();
    }

    /** {@code Producer.send(record, callback)}: the baseline. */
    @Benchmark
    public Object rawSend() {
        return raw.send(record, CALLBACK);
    }

    /** kproducer's suspending {@code send(record)}, per record, from one coroutine sending in a loop. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object kproducerSend() {
        return direct.send();
    }

    /** {@code suspendCancellableCoroutine} over {@code Producer.send(record, callback)}, per record, in the same loop: the floor of a suspending send. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public Object bareSend() {
        return bare.send();
    }

    /** {@code Producer.send(record, callback)} over a list: the baseline of the batch forms, per record. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public void rawLoop(Blackhole blackhole) {
        for (ProducerRecord<byte[], byte[]> r : records) {
            blackhole.consume(raw.send(r, CALLBACK));
        }
    }

    /** kproducer's {@code sendAll(records)}, per record. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int kproducerSendAll() {
        return batch.sendAll();
    }

    /** kproducer's {@code sendAll(flow)}, collected, per record. */
    @Benchmark
    @OperationsPerInvocation(BATCH)
    public int kproducerFlow() {
        return batch.flow();
    }

    /** kproducer's fire-and-forget {@code offer(record)}. */
    @Benchmark
    public void kproducerOffer() {
        dsl.offer(record);
    }
}
