import {type DoctorReport, renderDoctor} from '../../app/doctor/run.js'

export function renderDoctorReport(r: DoctorReport): string {
  return renderDoctor(r)
}
