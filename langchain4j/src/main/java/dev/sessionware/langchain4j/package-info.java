/**
 * Sessionware for LangChain4j: {@link dev.sessionware.langchain4j.LangChain4jEngine} runs a turn
 * through a LangChain4j {@code ChatModel} or {@code StreamingChatModel}, and {@link
 * dev.sessionware.langchain4j.CorrelatingHttpClientBuilder} keeps the session's correlation (and so
 * the MDC ids) on the threads LangChain4j calls back on.
 *
 * <p>Unless otherwise stated, null arguments cause a {@link java.lang.NullPointerException}.
 */
package dev.sessionware.langchain4j;
