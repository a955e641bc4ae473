package io.github.kproducer.samples.java;

import java.nio.ByteBuffer;
import org.apache.kafka.common.serialization.Serializer;

/** Study note 004's own Integer serializer: 4 bytes, big-endian; {@code null} stays {@code null}. */
public final class CustomIntegerSerializer implements Serializer<Integer> {
    @Override
    public byte[] serialize(String topic, Integer data) {
        return data == null ? null : ByteBuffer.allocate(4).putInt(data).array();
    }
}
