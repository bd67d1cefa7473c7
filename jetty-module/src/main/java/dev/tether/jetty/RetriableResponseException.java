package dev.tether.jetty;

/**
 * Why a backend response was abandoned before any of it reached the client: its status is one the
 * retry policy retries (Istio retries 503 by default), so the request goes to another attempt.
 * Carries no stack trace: it is a routing decision, not an error.
 */
final class RetriableResponseException extends Exception {
  private static final long serialVersionUID = 1L;

  RetriableResponseException(int status) {
    super("retriable status " + status, null, false, false);
  }
}
