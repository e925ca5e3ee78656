/** The part of autocannon's programmatic API the bench uses (the package ships no types). */
declare module 'autocannon' {
  namespace autocannon {
    interface Options { url: string; method?: string; connections?: number; duration?: number; headers?: Record<string, string>; body?: string }
    interface Histogram { average: number; mean: number; total: number; p50: number; p90: number; p97_5: number; p99: number; max: number }
    interface Result {
      duration: number; errors: number; timeouts: number; non2xx: number; '2xx': number;
      requests: Histogram; latency: Histogram;
    }
  }
  function autocannon(options: autocannon.Options): Promise<autocannon.Result>;
  export default autocannon;
}
