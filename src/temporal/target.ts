/** Where golive's Temporal is: the address, the namespace and how to connect. */
export interface TemporalTarget {
  address: string;
  namespace: string;
  /** Connection options from envconfig (TLS, API key, gRPC metadata); empty for the dev server. */
  connectOptions: Record<string, unknown>;
}
