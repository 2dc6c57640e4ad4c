extension EngineConfiguration {
    /// The demo deployment used when no configuration file is given: five simulated providers in
    /// the classic serving set-up, two tiers, a cache and traffic. `switchboard print-config`
    /// prints it as a starting point for a real file.
    public static var builtIn: EngineConfiguration {
        do {
            return try ConfigurationLoader.parse(builtInYAML, source: "built-in")
        } catch {
            preconditionFailure("the built-in configuration is invalid: \(error)")
        }
    }

    /// The built-in configuration's YAML text.
    public static let builtInYAML = """
        # Switchboard's built-in demo deployment: simulated providers, no keys or network needed.
        # Copy it (switchboard print-config > switchboard.yaml), edit, then check it with
        # switchboard check-config switchboard.yaml
        providers:
          - name: distilled-local          # small distilled model, self-hosted: fast and cheap
            model: distilled-8b
            price: { input_per_mtok: 0.08, output_per_mtok: 0.20 }
            timeout_ms: 3000
            max_concurrency: 256
            simulation: { ttft_ms: 45, per_token_ms: 4, spread: 0.35, answer_tokens: 40 }
          - name: finetuned-local          # the primary: self-hosted fine-tuned model
            model: finetuned-70b
            price: { input_per_mtok: 0.60, output_per_mtok: 1.80 }
            timeout_ms: 5000
            max_concurrency: 256
            simulation:
              ttft_ms: 140
              per_token_ms: 9
              spread: 0.35
              answer_tokens: 70
              faults: { error_rate: 0.01, kinds: [server_error] }
          - name: gpt-cloud                # secondary: cloud API, slower and dearer
            model: gpt-4o
            price: { input_per_mtok: 2.50, output_per_mtok: 10.00 }
            timeout_ms: 8000
            max_concurrency: 512
            simulation:
              ttft_ms: 420
              per_token_ms: 14
              spread: 0.4
              answer_tokens: 70
              faults: { error_rate: 0.03, kinds: [server_error, rate_limited] }
          - name: claude-cloud             # secondary: cloud API
            model: claude-sonnet
            price: { input_per_mtok: 3.00, output_per_mtok: 15.00 }
            timeout_ms: 8000
            max_concurrency: 512
            simulation: { ttft_ms: 520, per_token_ms: 16, spread: 0.4, answer_tokens: 70 }
          - name: tiny-fallback            # tertiary: small model for graceful degradation
            model: tiny-1b
            price: { input_per_mtok: 0.02, output_per_mtok: 0.05 }
            timeout_ms: 2000
            max_concurrency: 1024
            simulation: { ttft_ms: 25, per_token_ms: 2, spread: 0.3, answer_tokens: 25 }
        tiers:
          - name: small
            chain: [distilled-local, tiny-fallback]
          - name: frontier
            chain: [finetuned-local, gpt-cloud, claude-cloud, tiny-fallback]
        frontier_tier: frontier
        router:
          thresholds:
            - { tier: small, up_to: 0.35 }
            - { tier: frontier, up_to: 1.0 }
        cache:
          enabled: true
          embedder: auto
          decision: auto
          target_false_hit_rate: 0.02
          ttl_seconds: 3600
          max_entries: 100000
          max_memory_mb: 256
        resilience:
          deadline_ms: 30000
          retry: { max_attempts: 2, base_backoff_ms: 50, max_backoff_ms: 1000, jitter: 0.5, max_retry_after_ms: 2000 }
          breaker: { failure_threshold: 5, window_seconds: 10, cool_down_seconds: 5, max_cool_down_seconds: 60, half_open_probes: 1 }
        traffic:
          rps: 20
          seed: 42
          tenants: [acme, globex, initech]
          hard_share: 0.35
        """
}
