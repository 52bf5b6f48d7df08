/**
 * The Temporal header that carries the HTTP request id from the server (client interceptor)
 * through the workflow (workflows/interceptors.ts) to the activities it schedules (the worker's
 * activity interceptor). Pure: the workflow bundle imports it.
 */
export const REQUEST_ID_HEADER = 'golive-request-id';
