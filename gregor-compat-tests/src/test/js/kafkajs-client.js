// What KafkaJsClientTest asks KafkaJS to do against a broker, one command per run. Prints one
// tab-separated line per result on stdout for the test to check; exits non-zero on any error.
//
//   node kafkajs-client.js produce BOOTSTRAP TOPIC COUNT   create TOPIC (3 partitions), then send COUNT
//                                                          records with the idempotent producer, acks=-1
//   node kafkajs-client.js consume BOOTSTRAP TOPIC GROUP COUNT
//                                                          read COUNT records as a member of GROUP
//   node kafkajs-client.js offsets BOOTSTRAP TOPIC GROUP    the topic's end offsets and GROUP's commits
const { Kafka, CompressionTypes, logLevel } = require('kafkajs');

const [command, bootstrap, topic, ...rest] = process.argv.slice(2);
const kafka = new Kafka({
  clientId: 'gregor-kafkajs-compat',
  brokers: [bootstrap],
  logLevel: logLevel.NOTHING,
  retry: { retries: 10 },
});

async function produce(count) {
  const admin = kafka.admin();
  await admin.connect();
  const created = await admin.createTopics({ topics: [{ topic, numPartitions: 3 }], waitForLeaders: true });
  console.log(['created', created].join('\t'));
  await admin.disconnect();
  const producer = kafka.producer({ idempotent: true, maxInFlightRequests: 1 });
  await producer.connect();
  // Four sends, half of them gzip (the one codec KafkaJS carries without plugins).
  const perSend = count / 4;
  for (let send = 0; send < 4; send++) {
    const messages = [];
    for (let i = send * perSend; i < (send + 1) * perSend; i++) {
      messages.push({ key: `key-${i % 5}`, value: `value-${i}`, headers: { seq: String(i) } });
    }
    const acks = await producer.send({
      topic, messages, acks: -1,
      compression: send % 2 === 0 ? CompressionTypes.GZIP : CompressionTypes.None,
    });
    for (const a of acks) {
      console.log(['ack', a.partition, a.baseOffset, a.errorCode].join('\t'));
    }
  }
  await producer.disconnect();
}

async function consume(groupId, count) {
  const consumer = kafka.consumer({ groupId, sessionTimeout: 10000, heartbeatInterval: 1000 });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  let seen = 0;
  await new Promise((resolve, reject) => {
    consumer.run({
      eachMessage: async ({ partition, message }) => {
        const headers = Object.entries(message.headers || {}).map(([k, v]) => `${k}=${v}`).join(',');
        console.log(['record', partition, message.offset, message.key, message.value, headers].join('\t'));
        if (++seen === count) {
          resolve();
        }
      },
    }).catch(reject);
  });
  await consumer.disconnect(); // commits what was consumed
}

async function offsets(groupId) {
  const admin = kafka.admin();
  await admin.connect();
  for (const p of await admin.fetchTopicOffsets(topic)) {
    console.log(['end', p.partition, p.low, p.high].join('\t'));
  }
  for (const t of await admin.fetchOffsets({ groupId, topics: [topic] })) {
    for (const p of t.partitions) {
      console.log(['committed', p.partition, p.offset].join('\t'));
    }
  }
  const described = await admin.describeGroups([groupId]);
  for (const g of described.groups) {
    console.log(['group', g.groupId, g.state, g.protocolType].join('\t'));
  }
  await admin.disconnect();
}

const commands = {
  produce: () => produce(Number(rest[0])),
  consume: () => consume(rest[0], Number(rest[1])),
  offsets: () => offsets(rest[0]),
};
if (!commands[command]) {
  console.error(`unknown command ${command}`);
  process.exit(2);
}
commands[command]().then(() => process.exit(0), (e) => {
  console.error(e && e.stack ? e.stack : e);
  process.exit(1);
});
