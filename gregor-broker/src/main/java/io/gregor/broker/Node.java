package io.gregor.broker;

import io.gregor.api.ApiRouter;
import io.gregor.api.BrokerServices;
import io.gregor.api.Handlers;
import io.gregor.api.ProducerIdAllocator;
import io.gregor.group.GroupCoordinator;
import io.gregor.metadata.Controller;
import io.gregor.metadata.MetadataImage;
import io.gregor.metadata.MetadataLoader;
import io.gregor.metadata.MetadataLog;
import io.gregor.metadata.MetadataSnapshots;
import io.gregor.metadata.SnapshotGenerator;
import io.gregor.network.KafkaServer;
import io.gregor.network.RequestDispatcher;
import io.gregor.replica.FetchWaiters;
import io.gregor.replica.ReplicaManager;
import io.gregor.storage.LogConfig;
import io.gregor.storage.LogStore;
import io.gregor.storage.PartitionLog;
import io.gregor.storage.StorageIo;
import io.gregor.storage.StoreConfig;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * One Gregor process: a broker and, in a quorum of one, the controller. Owns the network
 * server, the log store, the metadata log, the controller and the request handlers, and
 * starts and stops them in order. Created by {@code gregor start} and by the test kit; several
 * may run in one JVM (no static state).
 */
public final class Node implements AutoCloseable {

    private static final Logger log = LoggerFactory.getLogger(Node.class);

    private final NodeConfig config;
    private final NodeIdentity identity;
    private final LogStore store;
    private final FetchWaiters fetchWaiters;
    private final Controller controller;
    private final GroupCoordinator groups;
    private final ApiRouter router;
    private final KafkaServer server;
    private final CountDownLatch stopped = new CountDownLatch(1);
    private final DataDirLock dirLock;
    private boolean closed;

    private Node(NodeConfig config, NodeIdentity identity, LogStore store, FetchWaiters fetchWaiters,
                 Controller controller, GroupCoordinator groups, ApiRouter router, KafkaServer server, DataDirLock dirLock) {
        this.dirLock = dirLock;
        this.config = config;
        this.identity = identity;
        this.store = store;
        this.fetchWaiters = fetchWaiters;
        this.controller = controller;
        this.groups = groups;
        this.router = router;
        this.server = server;
    }

    /**
     * Starts loading the slow-to-initialise classes (Netty's native epoll library, Kafka's API
     * schemas: about 0.3 s each) on a background thread, so they load while the caller parses
     * arguments and the node opens its logs. Optional; any thread; the threads start once per JVM
     * (the command line calls this before parsing, and every start calls it again).
     */
    public static void preloadInBackground() {
        Preload.started();
    }

    /** Its class initialisation, which the JVM runs once, starts the preload threads. */
    private static final class Preload {
        static {
            for (Runnable task : KafkaServer.preloadTasks()) {
                Thread t = new Thread(task, "gregor-preload");
                t.setDaemon(true);
                t.start();
            }
        }

        static void started() {
            // initialising this class is the work
        }
    }

    /** Starts the node; returns once it accepts connections and has registered itself. */
    public static Node start(NodeConfig config) throws IOException {
        return start(config, StorageIo.standard());
    }

    /** As {@link #start(NodeConfig)}, with the logs' file I/O going through {@code io} (fault injection in tests). */
    public static Node start(NodeConfig config, StorageIo io) throws IOException {
        long startNs = System.nanoTime();
        preloadInBackground();
        // Listen first: a client that connects while the node opens its logs waits for its answer
        // instead of being refused and backing off; nothing is read until the router is ready.
        CompletableFuture<RequestDispatcher> ready = new CompletableFuture<>();
        NodeConfig.Endpoint listener = config.listeners().get(0);
        KafkaServer server = KafkaServer.bind(new KafkaServer.Settings(listener.host(), listener.port(), listener.name(),
                config.numNetworkThreads(), config.socketRequestMaxBytes(), config.connectionsMaxIdleMs(),
                config.connectionLimits()), ready);
        try {
            return start(config, io, startNs, server, ready);
        } catch (IOException | RuntimeException e) {
            ready.completeExceptionally(e);
            server.close();
            throw e;
        }
    }

    private static Node start(NodeConfig config, StorageIo io, long startNs, KafkaServer server,
                              CompletableFuture<RequestDispatcher> ready) throws IOException {
        DataDirLock dirLock = DataDirLock.acquire(config.logDir());
        try {
            return start(config, io, startNs, server, ready, dirLock);
        } catch (IOException | RuntimeException e) {
            closeQuietly(dirLock);
            throw e;
        }
    }

    private static Node start(NodeConfig config, StorageIo io, long startNs, KafkaServer server,
                              CompletableFuture<RequestDispatcher> ready, DataDirLock dirLock) throws IOException {
        NodeIdentity identity = NodeIdentity.loadOrCreate(config.logDir(), config.nodeId(), config.clusterIdOverride());
        LogStore store = LogStore.openWithoutCleanup(config.logDir(), new StoreConfig(config.flushBeforeAck(),
                config.longValue("log.retention.check.interval.ms", 1, Long.MAX_VALUE),
                config.longValue("log.flush.offset.checkpoint.interval.ms", 1, Long.MAX_VALUE),
                config.longValue("producer.id.expiration.ms", 1, Long.MAX_VALUE))
                .withCleanerBackoffMs(config.longValue("log.cleaner.backoff.ms", 1, Long.MAX_VALUE))
                .withCleanerDedupeBufferSize(config.longValue("log.cleaner.dedupe.buffer.size", 1 << 20, Long.MAX_VALUE))
                .withRecoveryThreads(config.intValue("num.recovery.threads.per.data.dir", 1, 1024))
                .withProducerIdExpirationCheckIntervalMs(
                        config.intValue("producer.id.expiration.check.interval.ms", 1, Integer.MAX_VALUE)),
                // The metadata log keeps its own settings from the start: ReplicaManager, which gives every other log its
                // topic's config once the image is replayed, never touches it.
                io, topic -> topic.equals(MetadataLog.TOPIC) ? metadataLogConfig(config) : LogConfig.defaults());
        FetchWaiters fetchWaiters = null;
        Controller controller = null;
        GroupCoordinator groups = null;
        ApiRouter router = null;
        try {
            PartitionLog metadataPartition = store.log(MetadataLog.TOPIC, 0).orElse(null);
            if (metadataPartition == null) {
                metadataPartition = store.createLog(MetadataLog.TOPIC, 0, MetadataLog.TOPIC_ID, metadataLogConfig(config));
            } else if (!metadataPartition.config().equals(metadataLogConfig(config))) {
                metadataPartition.updateConfig(metadataLogConfig(config));
            }
            MetadataLog metadataLog = new MetadataLog(metadataPartition);
            boolean newCluster = metadataLog.endOffset() == 0;
            MetadataSnapshots snapshots = new MetadataSnapshots(metadataPartition.dir(), io);
            long loadStartNs = System.nanoTime();
            MetadataLoader.Loaded loaded = MetadataLoader.load(metadataLog, snapshots);
            MetadataImage image = loaded.image();
            log.info("Metadata image loaded up to offset {} in {} ms ({} topics)", image.lastOffset(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - loadStartNs), image.topicsByName().size());
            fetchWaiters = new FetchWaiters("gregor-request-timer-" + config.nodeId());
            DynamicBrokerConfig dynamicConfig = new DynamicBrokerConfig(config);
            ReplicaManager replicas = new ReplicaManager(dynamicConfig, store, fetchWaiters);
            replicas.onMetadataUpdate(image);
            // Only now that every log has its topic's settings: a retention pass before would have used the defaults
            // (a topic kept forever losing what is older than 7 days).
            store.startCleanup();
            SnapshotGenerator snapshotGenerator = new SnapshotGenerator(config.nodeId(), SnapshotGenerator.Policy.from(config),
                    metadataLog, snapshots);
            snapshotGenerator.start(loaded); // before the first commit hands it an image
            controller = new Controller(config, metadataLog, image, snapshotGenerator);
            // The connection limits are dynamic broker configs (KIP-226): the stored values apply from the start, and
            // each change as it is replayed. Rebuilt only when this node's dynamic values change.
            server.updateConnectionLimits(dynamicConfig.at(image).effective().connectionLimits());
            controller.addListener(next -> server.updateConnectionLimits(dynamicConfig.at(next).effective().connectionLimits()));
            controller.addListener(replicas::onMetadataUpdate);
            // After the replicas listener: the offsets partitions' logs exist before they are loaded.
            groups = new GroupCoordinator(config, controller, replicas);
            controller.addListener(groups::onMetadataUpdate);
            groups.onMetadataUpdate(image);
            BrokerServices services = new BrokerServices(config, dynamicConfig, identity.clusterId(), controller, replicas,
                    new ProducerIdAllocator(config.logDir().resolve("producer-id-block"), io), groups,
                    RuntimeLogLevels.ofSlf4jBackend());
            router = Handlers.router(services, config.numIoThreads());
            NodeConfig.Endpoint listener = config.listeners().get(0);
            NodeConfig.Endpoint advertised = config.advertisedListeners().get(0);
            int advertisedPort = advertised.port() == 0 ? server.port() : advertised.port();
            if (newCluster) {
                controller.bootstrapClusterDefaults().get(30, TimeUnit.SECONDS);
            }
            controller.registerBroker(config.nodeId(), advertised.host(), advertisedPort, null).get(30, TimeUnit.SECONDS);
            Node node = new Node(config, identity, store, fetchWaiters, controller, groups, router, server, dirLock);
            ready.complete(router);
            log.info("Gregor node {} ready on {}://{}:{} (cluster id {}, data in {}) in {} ms", config.nodeId(), listener.name(),
                    advertised.host(), advertisedPort, identity.clusterId(), config.logDir().toAbsolutePath().normalize(),
                    TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
            return node;
        } catch (IOException | RuntimeException | ExecutionException | TimeoutException | InterruptedException
                 | io.gregor.storage.OffsetOutOfRangeException e) {
            if (router != null) {
                router.close();
            }
            if (groups != null) {
                groups.close();
            }
            if (controller != null) {
                controller.close();
            }
            if (fetchWaiters != null) {
                fetchWaiters.close();
            }
            store.close();
            if (e instanceof InterruptedException) {
                Thread.currentThread().interrupt();
            }
            if (e instanceof IOException ioe) {
                throw ioe;
            }
            throw new IOException("node " + config.nodeId() + " failed to start: " + e.getMessage(), e);
        }
    }

    private static void closeQuietly(DataDirLock lock) {
        try {
            lock.close();
        } catch (IOException e) {
            log.warn("Releasing the lock of the data directory failed", e);
        }
    }

    /**
     * The metadata log's settings: never deleted by time or size (it is the only record of every topic; as Kafka's KRaft
     * log it is trimmed below its snapshots alone, see {@code SnapshotGenerator}), never rolled by time, records up to
     * 8 MiB. A segment holds about what is written between two snapshots (metadata.log.max.record.bytes.between.snapshots,
     * at most 64 MiB), so that trimming below a snapshot frees its segments; their files go at once, since nothing reads
     * the metadata log after the start-up replay.
     */
    private static LogConfig metadataLogConfig(NodeConfig config) {
        LogConfig d = LogConfig.defaults();
        long betweenSnapshots = config.longValue("metadata.log.max.record.bytes.between.snapshots", 1, Long.MAX_VALUE);
        int segmentBytes = (int) Math.max(METADATA_MIN_SEGMENT_BYTES, Math.min(64 * 1024 * 1024, betweenSnapshots));
        return new LogConfig(segmentBytes, Long.MAX_VALUE, -1, -1, 8 * 1024 * 1024, false,
                d.indexIntervalBytes(), d.maxIndexSizeBytes(), 0, Long.MAX_VALUE, Long.MAX_VALUE);
    }

    /** The smallest metadata log segment, whatever the snapshot interval: a file per commit would be absurd. */
    private static final int METADATA_MIN_SEGMENT_BYTES = 16 * 1024;

    /** This node's log store (tests and tools). */
    /** The parked fetches (tests look at what they hold). */
    public FetchWaiters fetchWaiters() {
        return fetchWaiters;
    }

    public LogStore logStore() {
        return store;
    }

    /** The port the first listener is bound to (useful when configured with port 0). */
    public int port() {
        return server.port();
    }

    /** host:port of the first advertised listener, with the bound port. */
    public String bootstrapServers() {
        NodeConfig.Endpoint advertised = config.advertisedListeners().get(0);
        return advertised.host() + ":" + (advertised.port() == 0 ? server.port() : advertised.port());
    }

    public String clusterId() {
        return identity.clusterId();
    }

    public int nodeId() {
        return config.nodeId();
    }

    public NodeConfig config() {
        return config;
    }

    /** The group coordinator, e.g. for a group's rebalance history. */
    public GroupCoordinator groupCoordinator() {
        return groups;
    }

    /** Blocks until {@link #close()} has completed. */
    public void awaitShutdown() throws InterruptedException {
        stopped.await();
    }

    /**
     * Clean shutdown: stop accepting and close every connection (answers not yet sent are dropped, as on a one-node
     * Kafka: its clients retry, and an acks=all write they did not see acknowledged may or may not be kept), let the
     * request threads finish, then flush, checkpoint and close the logs. Idempotent.
     */
    @Override
    public synchronized void close() {
        if (closed) {
            return;
        }
        closed = true;
        long startNs = System.nanoTime();
        log.info("Gregor node {} shutting down", config.nodeId());
        fetchWaiters.completeAll();
        server.close();
        router.close();
        groups.close();
        fetchWaiters.close();
        controller.close();
        store.close();
        closeQuietly(dirLock); // last: nothing of this node touches the directory any more
        log.info("Gregor node {} stopped in {} ms", config.nodeId(), TimeUnit.NANOSECONDS.toMillis(System.nanoTime() - startNs));
        stopped.countDown();
    }
}
