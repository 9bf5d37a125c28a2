/**
 * What the orchestrator's process and the responder process (`child.ts`, running inside the
 * responder network namespace) say to each other: one JSON object per line on the child's
 * stdout; the parent writes `stop` (or just closes stdin) to end it.
 */
import type { NetworkEvent } from '../types.js';

/** On the child's command line, so a crashed run's leftovers can be recognised. */
export const CHILD_MARKER = '--shipshape-fakenet-child';
/** The bridge inside the responder namespace, and the prefix of its per-container veth ends. */
export const BRIDGE_NAME = 'fkbr0';
export const VETH_PREFIX = 'fkh';
/** Every TCP / UDP flow not for port 53 is redirected to these ports in the responder. */
export const TCP_CATCH_PORT = 9999;
export const UDP_CATCH_PORT = 9998;
export const DNS_PORT = 53;

export interface ChildConfig {
  responderIp: string;
  prefixLength: number;
  /** The responder's address on the bridge's IPv6 subnet (a ULA, `/prefixLength6`). */
  responderIp6: string;
  prefixLength6: number;
  /** `net:[inode]` of the parent's namespace: the child refuses to run in it. */
  hostNetns: string;
  ownerPid: number;
}

/** An event as the child sees it: the parent turns `at` into ms since the container started. */
export type ChildEvent = Omit<NetworkEvent, 'ms'>;

export type ChildMessage =
  /** `ipv6`: whether IPv6 connections are caught (otherwise IPv6 is off in the responder). */
  | { t: 'ready'; netns: string; tls: boolean; ipv6: boolean }
  | { t: 'event'; at: number; event: ChildEvent }
  | { t: 'warn'; message: string }
  | { t: 'bye' };
