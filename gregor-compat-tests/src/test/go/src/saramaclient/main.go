// What SaramaClientTest asks Sarama (a pure-Go client) to do against a broker, one command per
// run: the same commands, arguments and output lines as src/test/python/kafka_python_client.py
// (see there), so that both clients answer the same test (ExternalClientContract). Prints one
// tab-separated line per result on stdout; any error ends the run with a message and exit 1.
package main

import (
	"context"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/Shopify/sarama"
)

func out(fields ...interface{}) {
	parts := make([]string, len(fields))
	for i, f := range fields {
		parts[i] = fmt.Sprint(f)
	}
	fmt.Println(strings.Join(parts, "\t"))
}

func check(err error) {
	if err != nil {
		fmt.Fprintln(os.Stderr, "error:", err)
		os.Exit(1)
	}
}

func config() *sarama.Config {
	cfg := sarama.NewConfig()
	cfg.ClientID = "gregor-sarama"
	cfg.Version = sarama.V2_1_0_0 // the newest this Sarama knows; its default (0.8.2) is below Kafka 4's floor
	cfg.Producer.RequiredAcks = sarama.WaitForAll
	cfg.Producer.Return.Successes = true
	cfg.Producer.Idempotent = true
	cfg.Net.MaxOpenRequests = 1
	cfg.Consumer.Offsets.Initial = sarama.OffsetOldest
	// With a retention Sarama commits with OffsetCommit v2, without one v1, which Kafka 4 no longer accepts.
	cfg.Consumer.Offsets.Retention = 7 * 24 * time.Hour
	cfg.Consumer.Return.Errors = true
	return cfg
}

func headersOf(m *sarama.ConsumerMessage) string {
	parts := []string{}
	for _, h := range m.Headers {
		parts = append(parts, string(h.Key)+"="+string(h.Value))
	}
	return strings.Join(parts, ",")
}

func produce(bootstrap []string, topic string, count int) {
	admin, err := sarama.NewClusterAdmin(bootstrap, config())
	check(err)
	check(admin.CreateTopic(topic, &sarama.TopicDetail{NumPartitions: 3, ReplicationFactor: 1}, false))
	check(admin.Close())
	out("version", config().Version.String())
	for half, codec := range []sarama.CompressionCodec{sarama.CompressionNone, sarama.CompressionLZ4} {
		cfg := config()
		cfg.Producer.Compression = codec
		producer, err := sarama.NewSyncProducer(bootstrap, cfg)
		check(err)
		for i := half * count / 2; i < (half+1)*count/2; i++ {
			partition, offset, err := producer.SendMessage(&sarama.ProducerMessage{
				Topic:     topic,
				Key:       sarama.StringEncoder(fmt.Sprintf("key-%d", i%5)),
				Value:     sarama.StringEncoder(fmt.Sprintf("value-%d", i)),
				Headers:   []sarama.RecordHeader{{Key: []byte("seq"), Value: []byte(strconv.Itoa(i))}},
				Timestamp: time.Unix(0, (1700000000000+int64(i))*int64(time.Millisecond)),
			})
			check(err)
			out("ack", i, partition, offset)
		}
		check(producer.Close())
	}
}

// Sarama runs ConsumeClaim once per partition, concurrently: the count and the close are shared.
type handler struct {
	remaining int64
	done      chan struct{}
	once      sync.Once
}

func (h *handler) Setup(sarama.ConsumerGroupSession) error   { return nil }
func (h *handler) Cleanup(sarama.ConsumerGroupSession) error { return nil }
func (h *handler) ConsumeClaim(s sarama.ConsumerGroupSession, claim sarama.ConsumerGroupClaim) error {
	for m := range claim.Messages() {
		out("record", m.Partition, m.Offset, string(m.Key), string(m.Value), headersOf(m))
		s.MarkMessage(m, "")
		if atomic.AddInt64(&h.remaining, -1) == 0 {
			h.once.Do(func() { close(h.done) })
		}
	}
	return nil
}

func consume(bootstrap []string, topic, group string, count int) {
	cfg := config()
	client, err := sarama.NewClient(bootstrap, cfg)
	check(err)
	consumerGroup, err := sarama.NewConsumerGroupFromClient(group, client)
	check(err)
	go func() {
		for err := range consumerGroup.Errors() {
			check(err)
		}
	}()
	h := &handler{remaining: int64(count), done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	ended := make(chan error, 1)
	go func() { ended <- consumerGroup.Consume(ctx, []string{topic}, h) }()
	select {
	case <-h.done:
	case <-time.After(30 * time.Second):
		check(fmt.Errorf("only %d of %d records within 30 s", int64(count)-atomic.LoadInt64(&h.remaining), count))
	}
	cancel()
	check(<-ended)
	check(consumerGroup.Close()) // ends the session: its marked offsets are committed
	admin, err := sarama.NewClusterAdmin(bootstrap, config())
	check(err)
	partitions, err := client.Partitions(topic)
	check(err)
	committed, err := admin.ListConsumerGroupOffsets(group, map[string][]int32{topic: partitions})
	check(err)
	for _, p := range partitions {
		if block := committed.GetBlock(topic, p); block != nil && block.Offset >= 0 {
			out("committed", p, block.Offset)
		}
	}
	check(admin.Close())
}

func seek(bootstrap []string, topic string, partition int32, offset, timestamp int64) {
	client, err := sarama.NewClient(bootstrap, config())
	check(err)
	earliest, err := client.GetOffset(topic, partition, sarama.OffsetOldest)
	check(err)
	out("earliest", earliest)
	latest, err := client.GetOffset(topic, partition, sarama.OffsetNewest)
	check(err)
	out("latest", latest)
	found, err := client.GetOffset(topic, partition, timestamp)
	check(err)
	consumer, err := sarama.NewConsumerFromClient(client)
	check(err)
	foundTime := int64(-1)
	if found >= 0 { // Sarama's lookup returns no timestamp: read it from the record found
		pc, err := consumer.ConsumePartition(topic, partition, found)
		check(err)
		m := <-pc.Messages()
		foundTime = m.Timestamp.UnixNano() / int64(time.Millisecond)
		check(pc.Close())
	}
	out("for-time", found, foundTime)
	pc, err := consumer.ConsumePartition(topic, partition, offset)
	check(err)
	for next := offset; next < latest; {
		select {
		case m := <-pc.Messages():
			out("record", m.Partition, m.Offset, string(m.Key), string(m.Value), headersOf(m))
			next = m.Offset + 1
		case <-time.After(30 * time.Second):
			check(fmt.Errorf("no record after offset %d within 30 s", next))
		}
	}
	check(pc.Close())
	check(client.Close())
}

// Sarama 1.22 sends DescribeConfigs v0 only (ListTopics too), which Kafka 4 no longer accepts: no config line,
// and the topics left come from its metadata.
func adminCalls(bootstrap []string, topic, group string) {
	admin, err := sarama.NewClusterAdmin(bootstrap, config())
	check(err)
	groups, err := admin.ListConsumerGroups()
	check(err)
	names := []string{}
	for g := range groups {
		names = append(names, g)
	}
	sort.Strings(names)
	out("groups", strings.Join(names, ","))
	offsets, err := admin.ListConsumerGroupOffsets(group, map[string][]int32{topic: {0}})
	check(err)
	for t, blocks := range offsets.Blocks {
		for p, block := range blocks {
			out("group-offset", t, p, block.Offset)
		}
	}
	check(admin.DeleteTopic(topic))
	check(admin.Close())
	client, err := sarama.NewClient(bootstrap, config())
	check(err)
	topics, err := client.Topics()
	check(err)
	sort.Strings(topics)
	out("topics", strings.Join(topics, ","))
	check(client.Close())
}

func atoi(s string) int64 {
	n, err := strconv.ParseInt(s, 10, 64)
	check(err)
	return n
}

func main() {
	command, bootstrap, topic := os.Args[1], []string{os.Args[2]}, os.Args[3]
	switch command {
	case "produce":
		produce(bootstrap, topic, int(atoi(os.Args[4])))
	case "consume":
		consume(bootstrap, topic, os.Args[4], int(atoi(os.Args[5])))
	case "seek":
		seek(bootstrap, topic, int32(atoi(os.Args[4])), atoi(os.Args[5]), atoi(os.Args[6]))
	case "admin":
		adminCalls(bootstrap, topic, os.Args[4])
	default:
		check(fmt.Errorf("unknown command %s", command))
	}
}
