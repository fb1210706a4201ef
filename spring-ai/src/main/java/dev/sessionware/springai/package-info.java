/**
 * Sessionware for Spring AI: {@link dev.sessionware.springai.SpringAiEngine} runs a turn through a
 * Spring AI {@code ChatModel}, and {@link dev.sessionware.springai.SessionAdvisor} makes a {@code
 * ChatClient} call's conversation id its session, in scope on every thread of the call.
 *
 * <p>Unless otherwise stated, null arguments cause a {@link java.lang.NullPointerException}.
 */
package dev.sessionware.springai;
