package io.gregor.broker;

import io.gregor.metadata.MetadataImage;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This node's {@link EffectiveBrokerConfig} at the latest metadata image, built again only when the
 * image's dynamic values for this node change (not per request or per metadata update), and the
 * one place that warns, once per change, about stored values this version refuses. Node creates
 * it; the api handlers and {@code ReplicaManager} read it.
 *
 * <p>Any thread: the latest config is an immutable value behind a volatile; a thread that finds it
 * stale builds the new one and installs it under this object's lock, unless a newer image's
 * config is there already.
 */
public final class DynamicBrokerConfig {

    private static final Logger log = LoggerFactory.getLogger(DynamicBrokerConfig.class);

    /** A config and the offset of the image it was built from. */
    private record Built(long imageOffset, EffectiveBrokerConfig config) {
    }

    private final NodeConfig staticConfig;
    private volatile Built latest;

    public DynamicBrokerConfig(NodeConfig staticConfig) {
        this.staticConfig = staticConfig;
        this.latest = new Built(MetadataImage.EMPTY.lastOffset(), EffectiveBrokerConfig.of(staticConfig, MetadataImage.EMPTY));
    }

    /** The static config this node started with. */
    public NodeConfig staticConfig() {
        return staticConfig;
    }

    /** This node's configs at {@code image}. */
    public EffectiveBrokerConfig at(MetadataImage image) {
        Built current = latest;
        if (current.config().isBuiltFrom(image)) {
            return current.config();
        }
        EffectiveBrokerConfig config = EffectiveBrokerConfig.of(staticConfig, image);
        synchronized (this) {
            // A request still holding an older image gets its config without replacing the newer one.
            if (image.lastOffset() > latest.imageOffset()) {
                latest = new Built(image.lastOffset(), config);
                for (String reason : config.ignored()) {
                    log.warn("Ignoring an invalid dynamic broker config (metadata offset {}): {}", image.lastOffset(), reason);
                }
            }
        }
        return config;
    }
}
