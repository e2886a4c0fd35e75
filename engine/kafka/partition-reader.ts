// Reading every partition of a topic from positions Sluice holds, with no consumer group. The positions are Sluice's
// own (stored with the rows they produced), so a group would only add its join: a new group waits out the broker's
// initial rebalance delay (3 s by default, and in the tests' mock broker) before its first fetch, and a group id
// reused after a crash waits for the dead member's session to expire (tens of seconds). Without a group the first
// fetch follows the metadata request, and nothing but our positions decides where a fetch starts.
//
// kafkajs has no group-less consumer, so this uses two of its internal parts, unchanged since kafkajs 2.2.4 (its last
// release, the version package.json pins): the Cluster a Kafka client builds for its consumers (metadata, leaders,
// broker connections) and the consumer's Batch (one partition of a fetch response, without the messages before the
// fetched offset, aborted transactions' messages or control records).

import type { Kafka, KafkaMessage } from 'kafkajs';
import type { FetchLimits, FetchedPartition, TopicReader } from './client';

interface PartitionData {
  readonly partition: number;
}

interface KafkajsBroker {
  fetch(request: {
    maxWaitTime: number; minBytes: number; maxBytes: number;
    topics: { topic: string; partitions: { partition: number; fetchOffset: string; maxBytes: number }[] }[];
  }): Promise<{ responses: { topicName: string; partitions: PartitionData[] }[] }>;
  offsetCommit(request: {
    groupId: string; groupGenerationId: number; memberId: string;
    topics: { topic: string; partitions: { partition: number; offset: string }[] }[];
  }): Promise<unknown>;
}

interface KafkajsCluster {
  connect(): Promise<void>;
  disconnect(): Promise<void>;
  addTargetTopic(topic: string): Promise<void>;
  refreshMetadataIfNecessary(): Promise<void>;
  findTopicPartitionMetadata(topic: string): { partitionId: number }[];
  findLeaderForPartitions(topic: string, partitions: number[]): Record<string, number[]>;
  findBroker(where: { nodeId: string }): Promise<KafkajsBroker>;
  findGroupCoordinator(where: { groupId: string }): Promise<KafkajsBroker>;
}

interface KafkajsBatch {
  readonly partition: number;
  readonly highWatermark: string;
  readonly messages: KafkaMessage[];
  isEmptyIncludingFiltered(): boolean;
  lastOffset(): string;
}

// eslint-disable-next-line @typescript-eslint/no-var-requires -- an internal module, without type declarations
const Batch: new (topic: string, fetchedOffset: string, data: PartitionData) => KafkajsBatch = require('kafkajs/src/consumer/batch');

/** Per partition, as kafkajs's consumer asks by default. */
const MAX_BYTES_PER_PARTITION = 1 << 20;

export class PartitionReader implements TopicReader {
  private constructor(private readonly cluster: KafkajsCluster, private readonly topic: string) {}

  static async open(kafka: Kafka, topic: string): Promise<PartitionReader> {
    const create = Object.getOwnPropertySymbols(kafka).find((s) => s.description === 'private:Kafka:createCluster');
    if (create === undefined) throw new Error('this kafkajs has no cluster factory: Sluice needs kafkajs 2.2.4');
    const cluster = (kafka as unknown as Record<symbol, (o: object) => KafkajsCluster>)[create]({});
    await cluster.connect();
    try {
      await cluster.addTargetTopic(topic);
    } catch (e) {
      await cluster.disconnect().catch(() => undefined);
      throw e;
    }
    return new PartitionReader(cluster, topic);
  }

  /** The topic's partitions, as of the latest metadata (refreshed when it is older than kafkajs's metadataMaxAge). */
  async partitions(): Promise<number[]> {
    await this.cluster.refreshMetadataIfNecessary();
    return this.cluster.findTopicPartitionMetadata(this.topic).map((p) => p.partitionId);
  }

  /** One fetch of every partition in `positions` from its position, from each partition's leader. */
  async fetch(positions: ReadonlyMap<number, bigint>, limits: FetchLimits): Promise<FetchedPartition[]> {
    const byLeader = this.cluster.findLeaderForPartitions(this.topic, [...positions.keys()]);
    const fetched = await Promise.all(Object.entries(byLeader).map(async ([nodeId, partitions]) => {
      const broker = await this.cluster.findBroker({ nodeId });
      const requested = partitions.map((partition) => ({
        partition, fetchOffset: positions.get(partition)!.toString(), maxBytes: MAX_BYTES_PER_PARTITION,
      }));
      const { responses } = await broker.fetch({
        maxWaitTime: limits.maxWaitMs, minBytes: 1, maxBytes: limits.maxBytes,
        topics: [{ topic: this.topic, partitions: requested }],
      });
      return responses.flatMap((r) => r.partitions).map((data) => {
        const batch = new Batch(this.topic, positions.get(data.partition)!.toString(), data);
        const onlyFiltered = batch.messages.length === 0 && !batch.isEmptyIncludingFiltered();
        return {
          partition: batch.partition, messages: batch.messages, highWatermark: batch.highWatermark, onlyFiltered,
          lastOffset: batch.messages.length > 0 || onlyFiltered ? batch.lastOffset() : positions.get(data.partition)!.toString(),
        };
      });
    }));
    return fetched.flat();
  }

  /**
   * Records the positions as the group's committed offsets, for monitoring tools that show a group's lag. The group
   * has no members: an offset commit of generation -1 is how a reader outside any group records offsets.
   */
  async commitOffsets(groupId: string, positions: ReadonlyMap<number, bigint>): Promise<void> {
    const coordinator = await this.cluster.findGroupCoordinator({ groupId });
    const partitions = [...positions].map(([partition, offset]) => ({ partition, offset: offset.toString() }));
    await coordinator.offsetCommit({ groupId, groupGenerationId: -1, memberId: '', topics: [{ topic: this.topic, partitions }] });
  }

  async close(): Promise<void> {
    await this.cluster.disconnect().catch(() => undefined);
  }
}
