package dev.sessionware.langchain4j.internal;

import dev.langchain4j.observability.api.AiServiceListenerRegistrar;
import dev.langchain4j.observability.api.DefaultAiServiceListenerRegistrar;
import dev.langchain4j.spi.observability.AiServiceListenerRegistrarFactory;
import dev.sessionware.langchain4j.AiServiceSessions;

/**
 * Gives every AI service LangChain4j builds its usual listener registrar with {@link
 * AiServiceSessions#listeners()} already registered, so the memory id is the session of every call
 * with no {@code registerListeners} in the host's code. LangChain4j asks its service loader for
 * this factory once per AI service; listeners the host registers itself are added as before, and
 * registering the session listeners a second time changes nothing (a call already in a session
 * keeps it). LangChain4j uses the first such factory on the class path: a host that ships its own
 * registers the session listeners there.
 */
public final class SessionListenerRegistrarFactory implements AiServiceListenerRegistrarFactory {
  /** Called by the service loader. */
  public SessionListenerRegistrarFactory() {}

  @Override
  public AiServiceListenerRegistrar get() {
    AiServiceListenerRegistrar registrar = new DefaultAiServiceListenerRegistrar();
    registrar.register(AiServiceSessions.listeners());
    return registrar;
  }
}
