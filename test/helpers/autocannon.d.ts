// The part of autocannon's API the load helper uses (the package ships no types).
declare module 'autocannon' {
  import type { EventEmitter } from 'node:events';
  interface Options {
    url: string;
    connections?: number;
    duration?: number;
    timeout?: number;
  }
  function autocannon(options: Options, done: (error: unknown, result: unknown) => void): EventEmitter;
  export default autocannon;
}
