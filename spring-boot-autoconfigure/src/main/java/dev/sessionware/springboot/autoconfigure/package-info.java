/**
 * Spring Boot auto-configuration for Sessionware: {@link
 * dev.sessionware.springboot.autoconfigure.SessionwareAutoConfiguration} (the runtime, store, sinks,
 * middleware and tracing), {@link dev.sessionware.springboot.autoconfigure.SessionwareClientsAutoConfiguration}
 * (Spring AI's {@code ChatClient} and LangChain4j), {@link
 * dev.sessionware.springboot.autoconfigure.SessionwareHealthAutoConfiguration} (health), all
 * configured by {@link dev.sessionware.springboot.autoconfigure.SessionwareProperties}.
 */
package dev.sessionware.springboot.autoconfigure;
