/** What a flight's work can ask about itself. */
export interface FlightState {
  /** True once an invalidation abandoned the flight: its result must not be written. */
  readonly abandoned: boolean
}

interface Flight<T> extends FlightState {
  readonly promise: Promise<T>
  abandoned: boolean
}

/**
 * Single flight per key: callers of one key while its work runs share that work's promise. An
 * invalidation abandons the flight: its (possibly pre-commit) result must not be written, and the
 * next caller starts new work. In this process only; the fence covers other processes.
 *
 * @example
 * ```ts
 * const flights = kit.flights<Patient | undefined>()
 * const patient = await flights.run(storeKey, (flight) => loadAndMaybeWrite(flight))
 * ```
 */
export class FlightGroup<T> {
  private readonly flights = new Map<string, Flight<T>>()

  /** Flights running now. */
  get size(): number {
    return this.flights.size
  }

  /**
   * Joins the flight of `key`, or starts `work` as that key's flight.
   *
   * @example
   * ```ts
   * await flights.run('soins_suite_x_patient_cache:CI-1', (flight) => load(flight))
   * ```
   */
  run(key: string, work: (flight: FlightState) => Promise<T>): Promise<T> {
    const running = this.flights.get(key)
    if (running !== undefined) return running.promise
    const flight = { abandoned: false, promise: undefined as unknown as Promise<T> }
    const settle = (): void => {
      if (this.flights.get(key) === flight) this.flights.delete(key)
    }
    let promise: Promise<T>
    try {
      promise = work(flight)
    } catch (error) {
      promise = Promise.reject(error)
    }
    flight.promise = promise.finally(settle)
    this.flights.set(key, flight)
    return flight.promise
  }

  /**
   * After an invalidation of `key`: the running flight must not write, and later callers start anew.
   *
   * @example
   * ```ts
   * flights.abandon(storeKey) // then invalidate the key in the store
   * ```
   */
  abandon(key: string): void {
    const flight = this.flights.get(key)
    if (flight === undefined) return
    flight.abandoned = true
    this.flights.delete(key)
  }
}
